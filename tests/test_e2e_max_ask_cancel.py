"""«Спросить специалиста» in MAX has a way out a parent can tap: «Отмена» under the prompt.

Before, the MAX prompt said Telegram's «/cancel — передумали» with no button: in MAX a
command inside a message is plain text, not a tap, so a parent who changed her mind had to
type «/cancel» by hand (the staff's «Ответить» prompt in MAX had its «Отмена» long since)."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.texts import max as max_texts
from storage.models import Ticket
from tests.conftest import STAFF_CHAT
from tests.helpers.max_both import KNOWN, MOTHER, UNKNOWN, Both, as_parent, labels, max_answer

STICKER = {"type": "sticker", "payload": {"url": "https://max.example/s.webp", "code": "s1"}}


async def tickets(h: Both) -> list[str]:
    async with h.sessionmaker() as session:
        return [t.status for t in (await session.scalars(select(Ticket))).all()]


async def test_the_ask_prompt_in_max_has_a_cancel_button_that_ends_the_wait(both: Both) -> None:
    h = both
    await as_parent(h)
    asked = await h.say(MOTHER, "/ask")
    assert "/cancel" not in asked.plain, asked.plain
    assert labels(asked) == [texts.BTN_CANCEL]

    before = len(h.max.sent_to(MOTHER))
    callback = await h.press(MOTHER, asked, texts.BTN_CANCEL)
    cancelled = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert cancelled.plain == texts.CANCELLED  # Telegram's words, with the menu
    assert "🎫 Сертификат" in labels(cancelled)  # the parent's menu: its topics
    assert await max_answer(h, callback) == ""  # the button goes, quietly
    answer = await h.say(MOTHER, KNOWN)  # no longer the question for staff
    assert "Активировать сертификат можно" in answer.plain
    assert await tickets(h) == []


async def test_the_reprompt_after_a_sticker_has_the_cancel_button_too(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, "Спросить специалиста")
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, "", attachments=[STICKER])
    again = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert again.plain == max_texts.ASK_REPROMPT and "/cancel" not in again.plain
    assert labels(again) == [texts.BTN_CANCEL]


async def test_cancel_under_an_old_prompt_changes_nothing_and_says_so(both: Both) -> None:
    h = both
    await as_parent(h)
    asked = await h.say(MOTHER, "/ask")
    created = await h.say(MOTHER, UNKNOWN)
    assert "Номер обращения" in created.plain
    assert UNKNOWN in (await h.tg.next_message(STAFF_CHAT, timeout=10)).text

    before = len(h.max.sent_to(MOTHER))
    callback = await h.press(MOTHER, asked, texts.BTN_CANCEL)
    assert await max_answer(h, callback) == max_texts.ASK_NOT_WAITING
    assert len(h.max.sent_to(MOTHER)) == before  # nothing cancelled: the question went
    assert await tickets(h) == ["open"]
