"""«Стоп», «отмена», «передумала» typed when no dialog is open: the parent hears there is
nothing to cancel and gets the topics, in Telegram and MAX. Before, the FAQ took the word for
a question: «стоп» got «Я не нашёл точного ответа… Могу передать его специалисту МОЦ» with a
«Спросить специалиста» that would send «стоп» to staff as a ticket, «отмена» got «Возможно,
вы имели в виду: Как отменить заявку или уйти из кружка?». (Mid-dialog these words end the
dialog: tests/test_e2e_cancel_words.py.)"""

from __future__ import annotations

import pytest

from bot import texts
from tests.conftest import PARENT, BotHarness
from tests.helpers.max_both import MOTHER, Both, as_parent, labels

WORDS = ["стоп", "Отмена!", "передумала", "не надо"]


@pytest.mark.parametrize("word", WORDS)
async def test_a_cancel_word_with_nothing_open_is_not_a_question_in_telegram(
    harness: BotHarness, word: str
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    said = await h.say(PARENT, word)
    assert said.text == texts.NOTHING_TO_CANCEL_TYPED, said.text
    assert said.inline_texts == [texts.BTN_CATEGORIES]
    h.server.press(said, texts.BTN_CATEGORIES, user=PARENT)
    await h.server.idle(quiet=0.3)
    assert "Выберите тему" in (h.server.messages[(PARENT.id, said.message_id)].text or "")


async def test_a_cancel_word_with_nothing_open_is_not_a_question_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    for word in WORDS:
        said = await h.say(MOTHER, word)
        assert said.plain == texts.NOTHING_TO_CANCEL_TYPED, (word, said.plain)
        assert labels(said) == [texts.BTN_CATEGORIES]


async def test_a_cancel_word_after_the_question_was_sent_still_reaches_the_ticket(
    harness: BotHarness,
) -> None:
    """With a ticket open it is said to the specialist as before, beside «Отозвать»."""
    h = harness
    await h.say(PARENT, "/ask")
    created = await h.say(PARENT, "можно ли привести на занятие собаку-поводыря")
    assert "Номер обращения" in created.text
    joined = await h.say(PARENT, "стоп")
    assert "Добавил это к обращению" in joined.text
    assert texts.BTN_WITHDRAW in joined.inline_texts


async def test_back_typed_as_a_word_opens_the_topics_in_both_messengers(both: Both) -> None:
    """«Назад» is the button under every answer; typed, it got «Я не нашёл точного ответа…»
    with «Спросить специалиста» (a ticket «назад» for staff)."""
    h = both
    await as_parent(h)
    topics = await h.say(MOTHER, "Назад")
    assert "Выберите тему" in topics.plain, topics.plain
    h.tg.user_sends("назад", user=PARENT)
    said = await h.tg.next_message(PARENT.id)
    assert "Выберите тему" in (said.text or ""), said.text
    assert "🎫 Сертификат" in said.inline_texts
