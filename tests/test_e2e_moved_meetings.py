"""A workshop's dates edited after its reminders went out, through the real bot on a frozen
clock: a meeting whose time stays is not reminded a second time; a moved one is reminded
for its new time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, make_settings
from tests.helpers.events import register, seed_teacher

WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, reminder_every_seconds=1)  # type: ignore[arg-type]


async def seed_workshop(sm: SessionMaker, starts: list[datetime]) -> int:
    async with sm() as session:
        repo = Repositories(session)
        event = Event(
            title="Практикум «Робототехника»", kind="workshop", starts_at=starts[0],
            duration_min=90, format="offline", place="ул. Ленина, 1, каб. 5", capacity=10,
            taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(event, starts)
        await repo.commit()
        return event.id


async def test_moving_a_later_meeting_does_not_remind_of_the_first_again(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """The teacher got «завтра в 15:00 (занятие 1 из 3)»; staff then move only the third
    meeting. The first is where it was: its day-ahead reminder must not come again."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, event_id, TEACHER)

    clock.set(FIRST - timedelta(hours=23, minutes=50))
    reminder = await h.server.next_message(TEACHER.id, timeout=10)
    assert "завтра в 15:00" in reminder.text and "занятие 1 из 3" in reminder.text

    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Дата и время")
    saved = await h.say(ADMIN, "08.12.2026 15:00, 15.12.2026 15:00, 29.12.2026 15:00")
    assert "Сохранено" in saved.text
    notice = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Изменилось время" in notice.text and "29 декабря" in notice.text

    await asyncio.sleep(3)  # three passes of the reminder job (every second)
    assert [m.text for m in h.server.drain(TEACHER.id) if "Напоминание" in (m.text or "")] == []

    clock.set(FIRST + 3 * WEEK - timedelta(hours=23, minutes=50))  # the moved third meeting
    moved = await h.server.next_message(TEACHER.id, timeout=10)
    assert "завтра в 15:00" in moved.text and "занятие 3 из 3" in moved.text
