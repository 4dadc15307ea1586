"""«Задать уточняющий вопрос» tapped twice (a shaky finger, a slow network) asks for the
clarification once, in Telegram and MAX: the second tap gets the same words as a short
notice on the press. Before, the parent got «Напишите уточняющий вопрос…» twice in a row."""

from __future__ import annotations

import asyncio

from bot import texts
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.helpers.max_both import MOTHER, Both, max_answer
from tests.test_e2e_reply_to_answer import max_answered
from tests.test_e2e_ticket_thanks import answered, status

PROMPT = "Напишите уточняющий вопрос — он попадёт в обращение №1."


async def test_a_double_tap_on_follow_up_asks_once_in_telegram(harness: BotHarness) -> None:
    h = harness
    answer = await answered(h)
    more = answer.button(texts.BTN_FOLLOW_UP).callback_data or ""
    before = len(h.server.sent_to(PARENT.id))
    h.server.press_data(answer, more, user=PARENT)
    h.server.press_data(answer, more, user=PARENT)  # before the keyboard is gone
    await h.server.idle(quiet=1.0)
    said = [m.text for m in h.server.sent_to(PARENT.id)[before:]]
    assert said == [PROMPT], said
    notices = [
        c.params.get("text") for c in h.server.calls if c.method.lower() == "answercallbackquery"
    ]
    assert PROMPT in notices, notices
    assert await status(h) == "open"


async def test_a_double_tap_on_follow_up_asks_once_in_max(both: Both) -> None:
    h = both
    answer = await max_answered(h)
    more = answer.button(texts.BTN_FOLLOW_UP)["payload"]
    before = len(h.max.sent_to(MOTHER))
    h.max.press_payload(MOTHER, answer, more)
    second = h.max.press_payload(MOTHER, answer, more)
    await h.max.wait_sent(MOTHER, before + 1)
    assert await max_answer(h, second) == PROMPT
    await asyncio.sleep(1)
    said = [m.plain for m in h.max.sent_to(MOTHER)[before:]]
    assert said == [PROMPT], said
    assert await status(h) == "open"


SECOND = "а можно ли приходить на занятия с младшим братом"


async def test_follow_up_under_an_older_open_ticket_sends_the_next_words_there(
    harness: BotHarness,
) -> None:
    """Two open tickets: «Задать уточняющий вопрос» under the older one's answer said «он
    попадёт в обращение №1», but the ticket's time was not touched (it was open already), so
    the question went to №2, the one touched last."""
    h = harness
    answer = await answered(h)  # №1, answered
    await h.say(PARENT, "/ask")
    created = await h.say(PARENT, SECOND)
    assert "№2" in created.text, created.text
    joined = await h.say(PARENT, "а справка нужна?", reply_to=answer)  # №1 open again
    assert "№1" in joined.text, joined.text
    joined = await h.say(PARENT, "брату 5 лет", reply_to=created)  # №2 touched last
    assert "№2" in joined.text, joined.text
    h.server.press(answer, texts.BTN_FOLLOW_UP, user=PARENT)  # still under the answer
    await h.server.idle(quiet=0.5)
    added = await h.say(PARENT, "и ещё: справку можно принести позже?")
    assert "№1" in added.text, added.text


CLARIFY = "а какие документы нужны?"  # the FAQ knows it well: it answered instead


async def test_the_question_typed_after_follow_up_reaches_the_specialist(
    harness: BotHarness,
) -> None:
    """«Напишите уточняющий вопрос — он попадёт в обращение №1», and the question the parent
    typed then was answered by the FAQ instead: the specialist never saw it."""
    h = harness
    answer = await answered(h)
    prompt = await h.press(PARENT, answer, texts.BTN_FOLLOW_UP)
    assert prompt.text == PROMPT
    joined = await h.say(PARENT, CLARIFY)
    assert "Добавил это к обращению" in joined.text and "№1" in joined.text, joined.text
    note = await h.server.next_message(STAFF_CHAT, timeout=10)
    while CLARIFY not in (note.text or ""):
        note = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert await status(h) == "open"


async def test_the_question_typed_after_follow_up_reaches_the_specialist_in_max(
    both: Both,
) -> None:
    h = both
    answer = await max_answered(h)
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, answer, texts.BTN_FOLLOW_UP)
    assert (await h.max.wait_sent(MOTHER, before + 1))[-1].plain == PROMPT
    joined = await h.say(MOTHER, CLARIFY)
    assert "Добавил это к обращению" in joined.plain and "№1" in joined.plain, joined.plain
    assert await status(h) == "open"
