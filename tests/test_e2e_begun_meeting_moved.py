"""A meeting that has begun by the clock but did not take place (the speaker is stuck; nobody
was marked present) is moved to later the same day through «✏️ Изменить» → «Дата и время», in
Telegram and in MAX. It was refused as «Прошедшее занятие нельзя убрать… пропали бы отметки»
(there were none), and its row — with the reminders already sent for the old time — was all
there was. Now the moved meeting is a fresh one: the teachers are told, and reminded of the new
time exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, make_settings
from tests.helpers.events import register, seed_teacher
from tests.test_e2e_moved_meetings import seed_workshop

WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly
MOVED = FIRST + timedelta(hours=3)  # 18:00 the same day


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, reminder_every_seconds=1)  # type: ignore[arg-type]


def reminders(h: BotHarness) -> list[str]:
    return [m.text or "" for m in h.server.drain(TEACHER.id) if "Напоминание" in (m.text or "")]


async def edit_dates(h: BotHarness, event_id: int, typed: str) -> str:
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Дата и время")
    return (await h.say(ADMIN, typed)).text or ""


async def test_a_begun_meeting_nobody_attended_moves_ahead_with_fresh_reminders(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, event_id, TEACHER)
    clock.set(FIRST - timedelta(minutes=55))  # the hour-ahead reminder of the 15:00 meeting
    first = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через час, в 15:00" in (first.text or "") and "занятие 1 из 3" in (first.text or "")

    clock.set(FIRST + timedelta(minutes=20))  # begun by the clock; the speaker is stuck
    said = await edit_dates(h, event_id, "08.12.2026 18:00, 15.12.2026 15:00, 22.12.2026 15:00")
    assert "Сохранено" in said, said
    notice = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Изменилось время" in (notice.text or "") and "18:00" in (notice.text or "")
    await asyncio.sleep(2)
    assert reminders(h) == []  # nothing due yet

    clock.set(MOVED - timedelta(minutes=55))
    moved = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через час, в 18:00" in (moved.text or "") and "занятие 1 из 3" in (moved.text or "")
    await asyncio.sleep(3)  # three more passes
    assert reminders(h) == []  # once


async def test_a_begun_meeting_with_presence_marks_still_cannot_move_ahead(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert await repo.events.mark_attended(reg_id, True, FIRST + timedelta(minutes=10))
        await repo.commit()
    clock.set(FIRST + timedelta(minutes=20))
    said = await edit_dates(h, event_id, "08.12.2026 18:00, 15.12.2026 15:00, 22.12.2026 15:00")
    assert "Прошедшее занятие нельзя убрать" in said and "Сохранено" not in said, said
