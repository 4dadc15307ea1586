"""Issue 13, item 4: «✍️ Ответить» in the staff group leads to a delivered answer the way a
real Telegram client behaves: the selective reply box is shown to the staffer who pressed it,
and their next plain message in the group is the answer as well."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import Ticket, TicketMessage
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.test_e2e_tickets import ask_specialist

COLLEAGUE = FakeUser(id=1001, first_name="Ирина", last_name="Коллега")


def in_staff_chat(h: BotHarness, user: FakeUser, text: str) -> None:
    h.server.user_sends(text, user=user, chat_id=STAFF_CHAT, chat_type="supergroup")


async def ticket_row(h: BotHarness, ticket_id: int) -> Ticket:
    async with h.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


async def test_reply_button_then_a_plain_message_is_delivered(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)

    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    prompt = await h.server.next_message(STAFF_CHAT)
    assert f"№{ticket_id}" in prompt.text
    assert h.server.force_reply_shown_to(prompt, ADMIN)  # a real client opens the reply box
    assert not h.server.force_reply_shown_to(prompt, COLLEAGUE)

    in_staff_chat(h, COLLEAGUE, "Коллеги, кто сегодня дежурит?")  # not the one who pressed
    in_staff_chat(h, ADMIN, "Да, можно: возьмите справку от врача.")  # no Reply: plain message
    answer = await h.server.next_message(PARENT.id)
    assert "Ответ специалиста МОЦ" in answer.text and "справку от врача" in answer.text
    confirm = await h.server.next_message(STAFF_CHAT)
    assert "доставлен" in confirm.text
    assert (await ticket_row(h, ticket_id)).status == "answered"

    in_staff_chat(h, ADMIN, "А это уже просто разговор в группе.")  # the dialog is over
    await h.server.idle()
    assert len([m for m in h.server.sent_to(PARENT.id) if "Ответ специалиста" in m.text]) == 1
    async with h.sessionmaker() as session:
        answers = (
            await session.scalars(select(TicketMessage.text).where(TicketMessage.from_staff))
        ).all()
    assert answers == ["Да, можно: возьмите справку от врача."]


async def test_cancel_leaves_the_ticket_open(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    await h.server.next_message(STAFF_CHAT)

    in_staff_chat(h, ADMIN, "/cancel")
    cancelled = await h.server.next_message(STAFF_CHAT)
    assert cancelled.text == texts.CANCELLED
    in_staff_chat(h, ADMIN, "обсуждаем с коллегами")
    await h.server.idle()
    assert not [m for m in h.server.sent_to(PARENT.id) if "Ответ специалиста" in m.text]
    assert (await ticket_row(h, ticket_id)).status == "open"


async def test_a_message_long_after_the_button_is_no_answer(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    clock = FrozenClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service, clock)
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)
    try:
        ticket_id = await ask_specialist(h)
        post = await server.next_message(STAFF_CHAT)
        server.press(post, texts.BTN_REPLY, user=ADMIN)
        await server.next_message(STAFF_CHAT)
        clock.advance(timedelta(minutes=31))  # the staffer went to a meeting meanwhile
        in_staff_chat(h, ADMIN, "Коллеги, я вернулась, обед в час.")
        await server.idle()
        assert not [m for m in server.sent_to(PARENT.id) if "Ответ специалиста" in m.text]
        assert (await ticket_row(h, ticket_id)).status == "open"
    finally:
        await stop_bot(h.dp, h.task)


async def test_a_staffer_without_username_is_mentioned_by_id(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.press(post, texts.BTN_REPLY, user=COLLEAGUE)  # anyone in the staff group
    prompt = await h.server.next_message(STAFF_CHAT)
    assert h.server.force_reply_shown_to(prompt, COLLEAGUE)
    assert not h.server.force_reply_shown_to(prompt, ADMIN)
    in_staff_chat(h, COLLEAGUE, "Можно, с собакой-поводырём пускают.")
    answer = await h.server.next_message(PARENT.id)
    assert "пускают" in answer.text
    assert "доставлен" in (await h.server.next_message(STAFF_CHAT)).text  # saved by now
    assert (await ticket_row(h, ticket_id)).answered_by == COLLEAGUE.id
