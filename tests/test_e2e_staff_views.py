"""What МОЦ staff read, through the real bot and the fake Bot API: /tickets in the МОЦ's time
zone, the participants' Excel with phones as plain text, and the «bot added» notice in good
Russian."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from storage.models import Ticket, TicketMessage
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, TEACHER, BotHarness
from tests.helpers.events import register, seed_event, seed_teacher
from tests.test_e2e_chats import GROUP, member_change


async def test_tickets_list_shows_the_moc_local_time(harness: BotHarness) -> None:
    h = harness
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.touch(PARENT.id, PARENT.first_name, PARENT.last_name, None)
        ticket = Ticket(
            user_id=PARENT.id, chat_id=PARENT.id, question="Где взять номер сертификата?",
            created_at=datetime(2026, 12, 5, 9, 30, tzinfo=UTC),  # 12:30 in Moscow
        )  # fmt: skip
        ticket.messages.append(TicketMessage(author_id=PARENT.id, text=ticket.question))
        session.add(ticket)
        await repo.commit()
    listing = await h.say(ADMIN, "/tickets")
    assert "05.12 12:30" in listing.text
    assert "UTC" not in listing.text and "09:30" not in listing.text


async def test_participants_excel_keeps_phones_as_text_without_an_apostrophe(
    harness: BotHarness,
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич", "=ДДТ")
    await register(h.sessionmaker, event_id, TEACHER)
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:xlsx:{event_id}", user=ADMIN)
    xlsx = await h.server.next_message(ADMIN.id)
    assert xlsx.document is not None
    sheet = load_workbook(io.BytesIO(xlsx.document.data)).active
    assert sheet is not None
    organisation, contact = sheet.cell(row=3, column=3), sheet.cell(row=3, column=5)
    assert contact.value == "+7 900 000-00-00" and contact.data_type == "s"
    # a value that looks like a formula is still a text cell, never a formula
    assert organisation.value == "=ДДТ" and organisation.data_type == "s"


async def test_admins_are_told_in_good_russian_where_the_bot_was_added(
    harness: BotHarness,
) -> None:
    h = harness
    member_change(
        h.server, {"id": GROUP, "type": "group", "title": "5А"}, PARENT, "left", "member"
    )
    note = await h.server.next_message(ADMIN.id)
    assert "Бота добавили в группу 5А" in note.text and "<code>5А</code>" in (note.raw_text or "")
    assert "в группа" not in note.text
