"""A teacher's /forget_me leaves the МОЦ's yearly numbers as they were and the person nowhere.

In December a methodist counted «Записей» and «Присутствовали» for the yearly form; a teacher
who had come to a seminar then pressed «Удалить мои данные», and the next /report showed one
registration and one attendance fewer: their registrations and presence marks were deleted
with them. Now the rows stay, naming nobody; seats of events still ahead are given back to
the waiting list as before. /report in Telegram and MAX, the panel's «Отчёт» and the CLI.
The school goes with the profile: the teacher is then counted «без указанной организации».
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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
from storage.db import SessionMaker
from storage.models import Base, Registration, RegistrationStatus, SessionMark
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import max_settings, say
from tests.helpers.max_both import TEACHER_MAX, new_runtime, seed_max_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
HELD = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
MISSED = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # registered, did not come
AHEAD = datetime(2027, 1, 20, 12, 0, tzinfo=UTC)  # next year: not in /report 2026
OTHER = FakeUser(id=2003, first_name="Ольга", last_name="Кузнецова")
THIRD = FakeUser(id=2004, first_name="Инна", last_name="Орлова")
SCHOOL_ROWS = ("Организаций", "Участников без указанной организации")
FIGURES = ("fig-registrations", "fig-attended", "fig-visits", "fig-teachers", "fig-rate")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def ticked(sm: SessionMaker, reg_id: int, at: datetime) -> None:
    async with sm() as session:
        repo = Repositories(session)
        assert await repo.events.mark_attended(reg_id, True, now=at)
        await repo.commit()


def workbook(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cells: what the methodist copies into the yearly form."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def but_schools(book: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """All but the schools: a forgotten teacher's school went with the profile."""
    summary = [row for row in book["Сводка"] if not str(row[0]).startswith(SCHOOL_ROWS)]
    return {**{k: v for k, v in book.items() if k != "По организациям"}, "Сводка": summary}


async def panel_figures(settings: Settings, sm: SessionMaker, clock: FrozenClock) -> list[str]:
    panel = await client_for(settings, sm, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report?first=01.01.2026&last=31.12.2026")).text()
    finally:
        await panel.close()
    return [page.split(f'id="{figure}">', 1)[1].split("<", 1)[0] for figure in FIGURES]


async def cli_report(settings: Settings, out: Path) -> dict[str, list[tuple[Any, ...]]]:
    """python -m bot report --from 2026-01-01 --to 2026-12-31 (its own clock: today's)."""
    made = await asyncio.to_thread(
        write_report, settings, date(2026, 1, 1), date(2026, 12, 31), out
    )
    assert made == 0
    return workbook(await asyncio.to_thread(out.read_bytes))


async def traces(sm: SessionMaker, user_id: int, words: tuple[str, ...]) -> list[str]:
    """Every cell of every table that still holds the person's id or name; the consent rows
    are the proof 152-ФЗ asks to keep (here there are none)."""
    found = []
    async with sm() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for column, value in zip(table.columns, row, strict=True):
                    text = str(value)
                    if value == user_id or any(word in text for word in words):
                        found.append(f"{table.name}.{column.name}={text}")
    return found


async def test_forget_me_keeps_the_yearly_numbers_and_no_trace_of_the_teacher(
    harness: BotHarness,
    settings: Settings,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    h, sm = harness, harness.sessionmaker
    held = await seed_event(sm, starts_at=HELD)
    missed = await seed_event(sm, starts_at=MISSED, title="Мастер-класс «Робототехника»")
    ahead = await seed_event(sm, starts_at=AHEAD, capacity=1, title="Семинар «Новый год»")
    await seed_teacher(sm, TEACHER, "Сидоров Пётр Ильич", "МБОУ СОШ № 7")
    await seed_teacher(sm, OTHER, "Кузнецова Ольга Ивановна", "МБОУ СОШ № 2")
    await seed_teacher(sm, THIRD, "Орлова Инна Павловна", "МБОУ СОШ № 2")
    for user in (TEACHER, OTHER):
        reg_id, _ = await register(sm, held, user)
        await ticked(sm, reg_id, HELD + timedelta(minutes=10))
    await register(sm, missed, TEACHER)
    assert (await register(sm, ahead, TEACHER))[1] == "registered"
    assert (await register(sm, ahead, THIRD))[1] == "waiting"

    cli_before = await cli_report(settings, tmp_path / "before.xlsx")
    before = await h.say(ADMIN, "/report 2026")
    assert before.document is not None
    assert "Присутствовали" in str(workbook(before.document.data)["Сводка"])
    figures = await panel_figures(settings, sm, clock)
    assert figures == ["3", "2", "2", "2", "66,7&nbsp;%"]

    anchor = await h.say(ADMIN, "/help")  # staff open the marks of the seminar held
    h.server.press_data(anchor, f"eva:attend:{held}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    assert "✅ Сидоров П.И." in marks.inline_texts

    confirm = await h.say(TEACHER, "/forget_me")
    assert (await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)).text == texts.FORGOTTEN
    promoted = await h.server.next_message(THIRD.id)  # the seat ahead went to the queue
    assert "Освободилось место" in promoted.text and "Новый год" in promoted.text
    h.server.press(marks, "✅ Сидоров П.И.", user=ADMIN)  # that list, opened before: no untick
    await h.server.idle()

    after = await h.say(ADMIN, "/report 2026")
    assert after.document is not None
    assert after.text == before.text
    book = workbook(after.document.data)
    assert but_schools(book) == but_schools(workbook(before.document.data))
    assert book["По организациям"][1:] == [("МБОУ СОШ № 2", 1), ("не указана", 1)]
    assert await panel_figures(settings, sm, clock) == figures
    assert but_schools(await cli_report(settings, tmp_path / "after.xlsx")) == but_schools(
        cli_before
    )

    async with sm() as session:
        regs = (await session.scalars(select(Registration).order_by(Registration.id))).all()
        marks = (await session.scalars(select(SessionMark))).all()
    kept = [(r.event_id, r.user_id, r.status) for r in regs]
    assert kept == [
        (held, None, RegistrationStatus.ATTENDED),
        (held, OTHER.id, RegistrationStatus.ATTENDED),
        (missed, None, RegistrationStatus.REGISTERED),  # a no-show, not a late cancellation
        (ahead, None, RegistrationStatus.CANCELLED),
        (ahead, THIRD.id, RegistrationStatus.REGISTERED),
    ]
    assert len(marks) == 2
    assert await traces(sm, TEACHER.id, ("Сидоров", "Пётр", "СОШ № 7", "2002")) == []


# ----------------------------------------------------------------- MAX

STAFF_MAX = MaxUser(50_000_000_001, "Анна", "Методист")
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


@pytest.fixture
async def runtime(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[MaxRuntime]:
    settings = max_settings(db_path, max_server, STAFF_MAX)
    runtime = new_runtime(Services(settings, sessionmaker, faq_service))
    await runtime.start()
    yield runtime
    await runtime.stop()


def by_channel(data: bytes) -> list[tuple[Any, ...]]:
    rows = workbook(data)["Сводка"]
    head = rows.index(
        ("По мессенджерам", "Записей", "Участников", "Присутствовали", "Выдано документов")
    )
    return rows[head + 1 : head + 3]


async def test_a_max_teacher_who_forgets_stays_counted_in_max(
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
    year = STARTED.year

    async def report() -> tuple[str, list[tuple[Any, ...]]]:
        before = len(fake.uploads)
        (sheet,) = await say(fake, STAFF_MAX, f"/report {year}")
        assert len(fake.uploads) == before + 1
        data = next(d for name, d in reversed(fake.uploads.values()) if name.endswith(".xlsx"))
        return sheet.plain, by_channel(data)

    caption, channels = await report()
    assert channels == [("Telegram", 0, 0, 0, 0), ("MAX", 1, 1, 1, 0)]

    (held,) = await say(fake, TEACHER_MAX, "/my_data")  # what is kept, said before deleting
    assert "Записей на мероприятия: 1" in held.plain
    assert "остаются в отчётах МОЦ только числом — без id, имени и контактов" in held.plain
    (confirm,) = await say(fake, TEACHER_MAX, "/forget_me")
    assert "прошедшие останутся в отчётах МОЦ только числом, без id и имени" in confirm.plain
    sent = len(fake.sent_to(TEACHER_MAX))
    fake.press(TEACHER_MAX, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in (await fake.wait_sent(TEACHER_MAX, sent + 1))[-1].plain

    assert await report() == (caption, channels)
    async with sessionmaker() as session:
        (row,) = (await session.scalars(select(Registration))).all()
    assert (row.user_id, row.anon_channel) == (None, "max")
    assert row.status == RegistrationStatus.ATTENDED
