"""Answer templates: [[if]] blocks, unset values left out, capitalised sentence starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.core.markup import fill_region
from bot.core.template import TemplateError, render_template
from bot.services.faq import check_directory
from tests.test_faq_check import TODAY, entry, only_error, problems_for, write_kb

VALUES: dict[str, str | None] = {
    "phone": "+7 900",
    "email": None,
    "url": None,
    "site": "https://moc.test",
    "model": "social",
    "name": "социальный сертификат",
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Звоните: {phone}.", "Звоните: +7 900."),
        ("Пишите: {email}.\nДальше.", "Дальше."),  # a line with an unset value is left out
        ("А\n\nПочта {email}\n\nБ", "А\n\nБ"),  # and leaves no double gap
        ('Откройте <a href="{url}">Навигатор</a>.', "Откройте Навигатор."),
        ('<a href="{site}">сайт</a>', '<a href="https://moc.test">сайт</a>'),
        ("в МОЦ[[if email]] ({email})[[end]].", "в МОЦ."),
        ("в МОЦ[[if phone]] ({phone})[[end]].", "в МОЦ (+7 900)."),
        (
            "[[if not email]]уточните в МОЦ[[else]]{email}[[end]]",
            "уточните в МОЦ",
        ),  # only values are capitalised
        ("[[if model=social]]С[[else]]П[[end]]", "С"),
        ("[[if model!=social]]П[[end]]ок", "ок"),
        ("А\n[[if model=pfdo]]\nПФДО\n[[end]]\nБ", "А\nБ"),  # tag lines disappear too
        ("[[if phone]][[if email]]оба[[else]]один[[end]][[end]]", "один"),
        (
            "{name} выдают один раз. {name} — это",
            "Социальный сертификат выдают один раз. Социальный сертификат — это",
        ),
        ("<b>{name}</b>", "<b>Социальный сертификат</b>"),
        ("Это {name}", "Это социальный сертификат"),
    ],
)
def test_render(template: str, expected: str) -> None:
    assert render_template(template, VALUES) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("[[if phone]]без конца", "не закрыт"),
        ("лишний [[end]]", "[[end]] без своего"),
        ("[[else]]", "[[else]] без своего"),
        ("[[if phone]]а[[else]]б[[else]]в[[end]]", "[[else]] без своего"),
        ("[[if telefon]]а[[end]]", "неизвестное имя «telefon»"),
        ("[[when phone]]а[[end]]", "непонятный блок"),
    ],
)
def test_broken_blocks_are_named(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("[", r"\[").replace("]", r"\]")):
        render_template(template, VALUES)


def test_the_checker_reports_a_broken_block_and_a_condition_on_an_unknown_name(
    tmp_path: Path,
) -> None:
    bad = entry("bad", answer="[[if navigator_url]]Навигатор")
    only_error(problems_for(tmp_path, entry("ok"), bad), "bad", "не закрыт — добавьте [[end]]")
    (tmp_path / "2").mkdir()
    typo = entry("typo", answer="[[if moc_phon]]Звоните[[end]]")
    only_error(problems_for(tmp_path / "2", typo), "typo", "неизвестный плейсхолдер {moc_phon}")


def test_texts_outside_the_faq_leave_an_unset_phone_out() -> None:
    text = "Звоните[[if phone]]: {phone}[[end]]. Номер <b>№{id}</b>"
    assert fill_region(text, phone=None, id=7) == "Звоните. Номер <b>№7</b>"
    assert (
        fill_region(text, phone="8 800 <1>", id=7) == "Звоните: 8 800 &lt;1&gt;. Номер <b>№7</b>"
    )


def test_the_checker_sees_a_slip_inside_the_other_models_block(tmp_path: Path) -> None:
    answer = "[[if certificate_model=social]]<b>социальный[[else]]ПФДО[[end]]"
    directory = write_kb(tmp_path / "faq", entry("a", answer=answer))
    placeholders = Settings(_env_file=None).placeholders()  # a ПФДО region
    problems = check_directory(directory, placeholders, TODAY)
    errors = [p.message for p in problems if p.level == "error"]
    assert len(errors) == 1
    assert errors[0].startswith("поле answer (social), разметка HTML: тег <b> не закрыт")
