"""Reminders and the night, through the real bot (Telegram and MAX) on a frozen clock: a
day-ahead reminder falling due at night waits for the morning; one that the bot, down for
hours, would only get out at 3:00 is dropped (by the morning it is stale, the hour one comes);
an event about to start is still reminded at night — all in the МОЦ's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import ReminderSent
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness, make_settings, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, seed_max_teacher
from tests.helpers.wait import until

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
WEBINAR = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)  # 23:00 in Moscow


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, reminder_every_seconds=1)  # type: ignore[arg-type]


async def test_a_day_ahead_reminder_due_at_night_waits_for_the_morning(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """A webinar at 23:00 on the 8th: «за сутки» falls due at 23:00 on the 7th. The teacher
    is asleep — it comes at 8:00 («сегодня в 23:00»); the hour one at 22:00 still comes then.
    The same evening's 23:50 seminar is reminded at once: it is about to start."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    webinar = await seed_event(
        h.sessionmaker,
        title="Вебинар «Наставничество»",
        starts_at=WEBINAR,
        format="online",
        place="https://meet.example",
    )
    tonight = await seed_event(
        h.sessionmaker,
        title="Семинар «Сегодня»",
        starts_at=datetime(2026, 12, 7, 20, 50, tzinfo=UTC),
    )
    await register(h.sessionmaker, webinar, TEACHER)
    await register(h.sessionmaker, tonight, TEACHER)

    clock.set(datetime(2026, 12, 7, 20, 5, tzinfo=UTC))  # 23:05 in Moscow
    soon = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через 45 мин, в 23:50 — Семинар «Сегодня»" in soon.text
    assert h.server.drain(TEACHER.id) == []  # the same pass held the day-ahead one

    clock.set(datetime(2026, 12, 8, 5, 0, tzinfo=UTC))  # 8:00 in Moscow
    morning = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Напоминание: сегодня в 23:00 — Вебинар «Наставничество»" in morning.text

    clock.set(WEBINAR - timedelta(minutes=58))  # 22:02: night, but the webinar is near
    hour = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через час, в 23:00" in hour.text and "meet.example" in hour.text


async def test_in_max_a_reminder_late_after_downtime_does_not_wake_the_teacher(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock,
) -> None:  # fmt: skip
    """A МОЦ in Kamchatka (UTC+12, no summer time). The bot was down and comes back at 3:00
    local time, twelve hours before a 15:00 seminar: the day-ahead reminder, late, is not
    sent at 3:00 (by 8:00 it would be stale as well); the hour one comes at 14:00."""
    start = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # 15:00 in Kamchatka
    clock.set(start - timedelta(hours=12))  # 3:00 there; 18:00 in Moscow, 15:00 UTC
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, clock,
        reminder_every_seconds=1, timezone="Asia/Kamchatka",
    ):  # fmt: skip
        uid = await seed_max_teacher(sessionmaker, TEACHER_MAX)
        event_id = await seed_event(sessionmaker, starts_at=start)
        async with sessionmaker() as session:
            assert (await Repositories(session).events.register(event_id, uid)).outcome
            await session.commit()
        before = len(max_server.sent_to(TEACHER_MAX))

        async def recorded() -> int:
            async with sessionmaker() as session:
                return int(await session.scalar(select(func.count(ReminderSent.id))) or 0)

        await until(lambda: recorded(), what="the late day-ahead reminder to be settled")
        assert len(max_server.sent_to(TEACHER_MAX)) == before

        clock.set(start - timedelta(minutes=55))
        (hour,) = (await max_server.wait_sent(TEACHER_MAX, before + 1, within=15))[before:]
        assert "Напоминание: через час, в 15:00" in hour.plain


async def test_registering_late_at_night_promises_only_the_reminders_that_will_come(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """At 23:00 the teacher signs up for a seminar at 15:00 tomorrow. The day-ahead reminder
    would fall at night and be stale by 8:00 — «Вы записаны» must not promise it; the first
    reminder the teacher gets is the hour one."""
    h = harness
    start = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
    event_id = await seed_event(h.sessionmaker, starts_at=start)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    clock.set(datetime(2026, 12, 7, 20, 0, tzinfo=UTC))  # 23:00 in Moscow
    card = await h.say(TEACHER, f"/start event_{event_id}")
    done = (await h.press(TEACHER, card, "✅ Записаться")).text or ""
    assert "Вы записаны" in done and "Напомню за час." in done and "сутки" not in done
    await h.server.idle()
    h.server.drain(TEACHER.id)  # the .ics

    clock.set(start - timedelta(minutes=55))
    hour = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Напоминание: через час, в 15:00" in hour.text
