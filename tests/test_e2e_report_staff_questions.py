"""Staff try the bot out: an owner (ADMIN_IDS) and an invited methodist type test questions
and open test tickets. The yearly report counted them among parents' «Вопросов боту» and
«Передано специалистам» (while the subscribers already left staff out), and so did the panel's
«Отчёт» and «Сводка»; now only the parent's question and ticket are counted, everywhere."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import FaqQuery, StaffMember, Ticket, TicketMessage, User
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ASKED = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
METHODIST = 2777  # invited by an owner: a staff_members row


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def _ticket(user_id: int) -> Ticket:
    ticket = Ticket(user_id=user_id, chat_id=user_id, question="Тест?", created_at=ASKED)
    ticket.messages.append(TicketMessage(author_id=user_id, text="Тест?", created_at=ASKED))
    answer = ASKED + timedelta(hours=1)
    ticket.messages.append(
        TicketMessage(author_id=ADMIN.id, from_staff=True, text="Ок", created_at=answer)
    )
    return ticket


async def _seed(sm: SessionMaker) -> None:
    async with sm() as s:
        s.add_all([
            User(id=PARENT.id, first_name="Мария"), User(id=ADMIN.id, first_name="Анна"),
            User(id=METHODIST, first_name="Ирина"),
        ])  # fmt: skip
        await s.flush()
        s.add(StaffMember(person_id=METHODIST, added_by=ADMIN.id, added_at=ASKED))
        s.add_all(
            FaqQuery(user_id=who, text="проверка", outcome="unknown", created_at=ASKED)
            for who in (PARENT.id, ADMIN.id, METHODIST)
        )
        s.add_all(_ticket(who) for who in (PARENT.id, ADMIN.id, METHODIST))
        await s.commit()


async def test_staff_test_questions_and_tickets_are_not_counted(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    await _seed(harness.sessionmaker)

    sheet = await harness.say(ADMIN, "/report 2026")
    assert sheet.document is not None, sheet.text
    book = load_workbook(io.BytesIO(sheet.document.data))
    rows = {r[0]: r[1] for r in book["Вопросы и рассылки"].iter_rows(values_only=True) if r[0]}
    assert rows["Вопросов боту"] == 1
    assert rows["бот не понял"] == 1
    assert rows["Передано специалистам (обращений)"] == 1
    assert rows["из них специалист ответил"] == 1

    panel = await client_for(settings, harness.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        report = await (await panel.get("/web/report?first=2026")).text()
        summary = await (await panel.get("/web/summary?period=2026")).text()
    finally:
        await panel.close()
    for shown in ('id="fig-questions">1<', 'id="fig-tickets">1<', 'id="fig-tickets-answered">1<'):
        assert shown in report, shown
    assert "не понял: 1</li>" in summary
    assert "Открытых: 1</a>" in summary
    assert "(1 обращ.)" in summary
