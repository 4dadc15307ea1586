"""In December a methodist counts «выдано документов об участии» for the yearly form: every
participation confirmation (DOCX for the аттестация) the bot gave out is recorded, asking twice
for the same event is one document, and a teacher's /forget_me leaves the count right without
keeping who they were. /report 2026 in Telegram and MAX, the panel's «Отчёт» and the CLI agree.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import texts
from bot.app.cli.events import write_report
from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import events as t
from storage.db import SessionMaker
from storage.models import ParticipationDocument
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import max_settings, say, start
from tests.helpers.max_both import TEACHER_MAX, new_runtime, seed_max_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
HELD = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, 90 minutes
OTHER = FakeUser(id=2003, first_name="Ольга", last_name="Кузнецова")
DOCUMENTS = "Выдано документов об участии (подтверждений для аттестации)"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def ticked(sm: SessionMaker, reg_id: int, at: datetime) -> None:
    async with sm() as session:
        repo = Repositories(session)
        assert await repo.events.mark_attended(reg_id, True, now=at)
        await repo.commit()


async def document(h: BotHarness, user: FakeUser, event_id: int) -> None:
    """The teacher presses «Подтверждение участия» and gets the message and the DOCX."""
    anchor = await h.say(user, "/help")
    h.server.press_data(anchor, f"ev:proof:{event_id}", user=user)
    said = await h.server.next_message(user.id)
    assert "Подтверждение участия" in said.text
    sent = await h.server.next_message(user.id)
    assert sent.document is not None and sent.document.filename.endswith(".docx")


def summary(data: bytes) -> dict[Any, Any]:
    book = load_workbook(io.BytesIO(data))
    return {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}


def event_documents(data: bytes) -> list[Any]:
    sheet = load_workbook(io.BytesIO(data))["Мероприятия"]
    assert sheet["H1"].value == "Документов об участии"
    return [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]


async def test_documents_given_out_are_counted_once_and_survive_forget_me(
    harness: BotHarness,
    settings: Settings,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    h, sm = harness, harness.sessionmaker
    event_id = await seed_event(sm, starts_at=HELD, duration_min=90)
    for user, name in ((TEACHER, "Сидоров Пётр Ильич"), (OTHER, "Кузнецова Ольга Ивановна")):
        await seed_teacher(sm, user, name)
        reg_id, _ = await register(sm, event_id, user)
        await ticked(sm, reg_id, HELD + timedelta(minutes=10))

    await document(h, TEACHER, event_id)
    clock.set(NOW + timedelta(minutes=10))  # not a double tap (that gets no second file)
    await document(h, TEACHER, event_id)  # lost the file, asked again: still one document
    await document(h, OTHER, event_id)

    sheet = await h.say(ADMIN, "/report 2026")
    assert sheet.document is not None
    assert "выдано документов об участии 2" in sheet.text
    assert summary(sheet.document.data)[DOCUMENTS] == 2
    assert event_documents(sheet.document.data) == [2]

    held = await h.say(TEACHER, "/my_data")  # what is kept about them says it too
    assert "Выданных документов об участии: 1" in held.text, held.text
    confirm = await h.say(TEACHER, "/forget_me")
    assert (await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)).text == texts.FORGOTTEN
    async with sm() as session:
        kept = (await session.scalars(select(ParticipationDocument))).all()
    assert sorted(str(d.user_id) for d in kept) == sorted([str(OTHER.id), "None"])
    assert {d.channel for d in kept} == {"tg"}

    again = await h.say(ADMIN, "/report 2026")
    assert again.document is not None and "выдано документов об участии 2" in again.text
    assert summary(again.document.data)[DOCUMENTS] == 2

    panel = await client_for(settings, sm, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report?first=01.01.2026&last=31.12.2026")).text()
    finally:
        await panel.close()
    assert 'id="fig-documents">2<' in page

    out = tmp_path / "report.xlsx"  # python -m bot report --from 2026-01-01 --to 2026-12-31
    made = await asyncio.to_thread(
        write_report, settings, date(2026, 1, 1), date(2026, 12, 31), out
    )
    assert made == 0
    assert "выдано документов об участии 2" in capsys.readouterr().out
    assert summary(out.read_bytes())[DOCUMENTS] == 2


# ----------------------------------------------------------------- MAX

STAFF_MAX = MaxUser(50_000_000_001, "Анна", "Методист")
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
MAX_CLOCK = FrozenClock(STARTED + timedelta(hours=3))


@pytest.fixture
async def runtime(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[MaxRuntime]:
    settings = max_settings(db_path, max_server, STAFF_MAX)
    runtime = new_runtime(Services(settings, sessionmaker, faq_service, MAX_CLOCK))
    await runtime.start()
    yield runtime
    await runtime.stop()


async def test_a_document_given_out_in_max_is_counted_by_max_report(
    runtime: MaxRuntime, max_server: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    fake = max_server
    uid = await seed_max_teacher(sessionmaker, TEACHER_MAX)
    event_id = await seed_event(sessionmaker, starts_at=STARTED)
    async with sessionmaker() as session:
        repo = Repositories(session)
        registered = await repo.events.register(event_id, uid)
        await repo.commit()
    await ticked(sessionmaker, registered.registration.id, STARTED + timedelta(minutes=5))

    for _ in range(2):  # asked twice: one document
        card = await start(fake, TEACHER_MAX, f"event_{event_id}")
        before = len(fake.sent_to(TEACHER_MAX))
        fake.press(TEACHER_MAX, card, t.BTN_PROOF)
        await fake.wait_sent(TEACHER_MAX, before + 2, within=15)
        MAX_CLOCK.set(MAX_CLOCK.now() + timedelta(minutes=10))  # later: not a double tap

    year = datetime.now(ZoneInfo("Europe/Moscow")).year
    (sheet,) = await say(fake, STAFF_MAX, f"/report {year}")
    assert "выдано документов об участии 1" in sheet.plain
    data = next(d for name, d in fake.uploads.values() if name.endswith(".xlsx"))
    assert summary(data)[DOCUMENTS] == 1
    channels = list(load_workbook(io.BytesIO(data))["Сводка"].iter_rows(values_only=True))
    head = channels.index(
        ("По мессенджерам", "Записей", "Участников", "Присутствовали", "Выдано документов")
    )
    assert channels[head + 1 : head + 3] == [("Telegram", 0, 0, 0, 0), ("MAX", 1, 1, 1, 1)]


async def test_documents_follow_a_move_and_stay_one_per_event(sessionmaker: SessionMaker) -> None:
    """/move carries the documents to the new account; the one the new account already had for
    the same event stays, so the report does not count the person twice."""
    source, target = 3101, 2**60 + 7
    first = await seed_event(sessionmaker, starts_at=HELD)
    second = await seed_event(sessionmaker, starts_at=HELD + timedelta(days=1))
    async with sessionmaker() as session:
        repo = Repositories(session)
        for uid, event_id in ((source, first), (source, second), (target, first)):
            assert await repo.documents.record(event_id, uid, "tg", NOW)
        assert not await repo.documents.record(first, source, "tg", NOW)  # asked again
        await repo.documents.move(source, target)
        await repo.commit()
        kept = (await session.scalars(select(ParticipationDocument))).all()
    assert sorted((d.event_id, d.user_id) for d in kept) == [(first, target), (second, target)]
