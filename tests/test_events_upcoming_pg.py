"""`EventRepo.upcoming` on PostgreSQL: a meeting under way (its end computed in Python, its id
passed in), the seated viewer's own event whose last meeting has begun, the day filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import Backend

pytestmark = [pytest.mark.postgres]

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(pg_database: str) -> Settings:
    return Backend("postgres", pg_database).settings()


async def test_meetings_under_way_and_the_seated_viewer(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.touch(7, "Пётр", None, None)
        starts = [NOW - timedelta(days=7), NOW - timedelta(minutes=30)]  # the last under way
        workshop = Event(
            title="Мастерская", kind="workshop", starts_at=starts[0], duration_min=90,
            format="offline", place="МОЦ", capacity=5, taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        seminar = Event(
            title="Семинар", kind="seminar", starts_at=NOW + timedelta(days=1), duration_min=90,
            format="offline", place="МОЦ", capacity=5, taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, starts)
        await repo.events.add(seminar)
        await repo.commit()
        await repo.events.register(workshop.id, 7)
        await repo.commit()

        assert [e.title for e in await repo.events.upcoming(NOW)] == ["Семинар"]
        mine = await repo.events.upcoming(NOW, seated=7)
        assert [e.title for e in mine] == ["Мастерская", "Семинар"]  # under way first
        today = (NOW.replace(hour=0), NOW.replace(hour=0) + timedelta(days=1))
        assert [e.title for e in await repo.events.upcoming(NOW, between=today, seated=7)] == [
            "Мастерская"
        ]
        assert await repo.events.upcoming(NOW, between=today, seated=8) == []
