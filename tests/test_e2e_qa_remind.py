"""A teacher's registration over time — what an outside QA pass found, through the real bot on
a frozen clock: a workshop's later meetings still reminded once staff ticked the first one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import Event, EventStatus, RegistrationStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, make_settings
from tests.helpers.events import register, registration_status, seed_teacher

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, reminder_every_seconds=1)  # type: ignore[arg-type]


async def seed_workshop(sm: SessionMaker, starts: list[datetime], **fields: object) -> int:
    async with sm() as session:
        repo = Repositories(session)
        values: dict[str, object] = {
            "title": "Практикум «Робототехника»", "kind": "workshop", "starts_at": starts[0],
            "duration_min": 90, "format": "offline", "place": "ул. Ленина, 1, каб. 5",
            "capacity": 10, "taken": 0, "status": EventStatus.PUBLISHED,
        }  # fmt: skip
        event = await repo.events.add(Event(**{**values, **fields}), starts)
        await repo.commit()
        return event.id


async def test_a_workshop_ticked_at_its_first_meeting_still_reminds_of_the_next(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """Three weekly meetings; staff tick the teacher present at the first. The second and
    third are still ahead — the teacher must still be reminded of them, as before the tick."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)

    clock.set(FIRST + timedelta(minutes=10))  # the first meeting is on: staff tick
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED
    before = len(h.server.sent_to(TEACHER.id))

    clock.set(FIRST + WEEK - timedelta(hours=23, minutes=50))  # a day before the second
    reminder = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Напоминание: завтра в 15:00" in reminder.text
    assert "занятие 2 из 3" in reminder.text and "Робототехника" in reminder.text

    clock.set(FIRST + 2 * WEEK - timedelta(minutes=55))  # an hour before the third
    hour = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через час, в 15:00" in hour.text and "занятие 3 из 3" in hour.text
    assert len(h.server.sent_to(TEACHER.id)) >= before + 2
