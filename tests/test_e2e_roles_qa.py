"""Roles in Telegram, as a hurried or removed staffer meets them: a double tap on «✍️ Ответить»
asks once; a staffer removed while their «Ответить» is open cannot answer a parent any more
(the parent gets nothing, the ex-staffer hears why)."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.texts import staff as t
from storage.models import Ticket, TicketMessage
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, TEACHER, BotHarness
from tests.test_e2e_staff_invites import invite, join
from tests.test_e2e_tickets import ask_specialist


def prompts(h: BotHarness, chat_id: int, ticket_id: int) -> list[str]:
    """The «напишите ответ на обращение №N» prompts the bot sent to the chat."""
    wanted = f"напишите ответ на обращение №{ticket_id}"
    return [m.text for m in h.server.sent_to(chat_id) if wanted in (m.text or "")]


async def test_a_double_tap_on_reply_prompts_once(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    await h.server.idle()
    assert len(prompts(h, STAFF_CHAT, ticket_id)) == 1
    waiting = texts.STAFF_REPLY_WAITING.format(id=ticket_id)  # the second tap: why no prompt
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == waiting)

    h.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup"
    )  # the wait is still there: the next message is the answer
    answer = await h.server.next_message(PARENT.id)
    assert "Да, можно." in answer.text


async def test_a_removed_staffer_cannot_answer_through_an_open_reply(
    harness: BotHarness,
) -> None:
    h = harness
    await join(h, await invite(h))
    ticket_id = await ask_specialist(h)
    listing = await h.say(TEACHER, "/tickets")
    prompt = await h.press(TEACHER, listing, f"✍️ №{ticket_id}")
    assert f"обращение №{ticket_id}" in prompt.text

    staff = await h.say(ADMIN, "/staff")  # the owner removes him meanwhile
    h.server.press(staff, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
    removed = t.REMOVE_OUTCOMES["removed"]
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == removed)

    told = await h.say(TEACHER, "Нет, с собакой нельзя.")
    assert told.text == texts.STAFF_ANSWER_NOT_STAFF
    await h.server.idle()
    assert not [m for m in h.server.sent_to(PARENT.id) if "Ответ специалиста" in m.text]
    async with h.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
        answers = (
            await session.scalars(select(TicketMessage.text).where(TicketMessage.from_staff))
        ).all()
    assert ticket is not None and ticket.status == "open" and not answers
