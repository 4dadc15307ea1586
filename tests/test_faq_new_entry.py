"""The steps of «✏️ Новая статья» both messengers share (bot.services.faq.new_entry), without
a bot: the e2e tests (test_e2e_faq_learn.py, test_e2e_max_faq_new.py) walk the dialogs."""

from __future__ import annotations

import pytest

from bot.services.faq import new_entry
from bot.texts import faq_learn as t

PLACES = {"moc_phone": "+7 (900) 123-45-67", "moc_site": None, "navigator_url": None}


@pytest.mark.parametrize("words", [t.TELEGRAM_NEW, t.MAX_NEW])
def test_the_steps_follow_each_other_and_name_the_placeholders_as_written(
    words: t.NewEntryTexts,
) -> None:
    draft = new_entry.begin("q", 7)
    taken = new_entry.take(words, "title", draft, "  Можно ли с собакой? ", PLACES)
    assert (taken.step, taken.draft["title"]) == ("wordings", "Можно ли с собакой?")
    taken = new_entry.take(words, "wordings", taken.draft, "- с собакой\n\n• пёс", PLACES)
    assert (taken.step, taken.draft["wordings"]) == ("answer", ["с собакой", "пёс"])
    # staff are shown the placeholder as they must type it, not «{{moc_phone}}»
    assert "{moc_phone}" in taken.text and "{{" not in taken.text
    taken = new_entry.take(words, "answer", taken.draft, "Да. {moc_phone}", PLACES)
    assert (taken.step, taken.text) == (new_entry.CATEGORY, t.NEW_CATEGORY)
    assert new_entry.complete(taken.draft) and taken.draft["src"] == "q"


def test_a_refused_answer_keeps_the_step_and_says_why() -> None:
    draft = {"title": "T", "wordings": ["w"]}
    too_long = new_entry.take(t.MAX_NEW, "title", draft, "я" * 201, PLACES)
    assert too_long.step == "title" and "можно до 200" in too_long.text
    empty = new_entry.take(t.MAX_NEW, "title", draft, "   ", PLACES)
    assert (empty.step, empty.text) == ("title", t.MAX_NEW.reprompt)
    broken = new_entry.take(t.MAX_NEW, "answer", draft, "Звоните {moc_fax}", PLACES)
    assert broken.step == "answer" and "неизвестный плейсхолдер {moc_fax}" in broken.text
    assert "answer" not in broken.draft


def test_a_fixed_step_goes_straight_back_to_the_section() -> None:
    draft = {"title": "Старый", "wordings": ["w"], "answer": "a"}
    asked = new_entry.fix(t.TELEGRAM_NEW, "title", draft)
    assert asked.step == "title" and "Старый" in asked.text
    taken = new_entry.take(t.TELEGRAM_NEW, "title", asked.draft, "Новый", PLACES)
    assert (taken.step, taken.text, taken.draft["title"]) == (
        new_entry.CATEGORY,
        t.NEW_FIXED,
        "Новый",
    )


def test_an_answer_is_measured_by_what_it_shows_not_by_its_tags() -> None:
    """A formatted answer of 3,000 characters, every word bold, was «Слишком длинно (4 799
    символов, можно до 3500)»: its «<b></b>» counted, a number the staffer never typed."""
    draft = {"title": "T", "wordings": ["w"]}
    bold = " ".join(["<b>важно</b>"] * 500)  # 2,999 characters shown
    taken = new_entry.take(t.TELEGRAM_NEW, "answer", draft, bold, PLACES)
    assert (taken.step, taken.draft.get("answer")) == (new_entry.CATEGORY, bold)
    over = new_entry.take(t.TELEGRAM_NEW, "answer", draft, "<b>важно</b> " * 600, PLACES)
    assert over.step == "answer" and "(3600 символов, можно до 3500)" in over.text
