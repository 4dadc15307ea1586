"""The seat count holds when 120 teachers press «Записаться» at once for 10 seats.

Runs the benchmark's own race (bench/registration_race.py, the bot's real EventRepo, one
session per press, double presses included) on a migrated SQLite file, then checks that a
cancellation hands the freed seat to the earliest person on the waiting list.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.registration_race import race  # noqa: E402
from storage.db import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from storage.models import Event, Registration, RegistrationStatus  # noqa: E402
from storage.repositories.events import EventRepo  # noqa: E402


@pytest.fixture
async def sm(db_url: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


def _with_status(event_id: int, status: RegistrationStatus) -> Select[Registration]:
    return (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == status)
        .order_by(Registration.queued_at, Registration.id)
    )


async def test_race_keeps_capacity_and_cancel_promotes_earliest(sm: SessionMaker) -> None:
    report = await race(sm, n=120, seats=10, dupes=50)
    ours = report.ours
    assert (ours.confirmed, ours.duplicates, ours.taken) == (10, 0, 10)
    assert ours.waiting == 110 and report.passed
    assert ours.outcomes.get("already", 0) + ours.outcomes.get("unique_violation", 0) == 50
    async with sm() as session:
        repo = EventRepo(session)
        earliest = (
            await session.scalars(_with_status(ours.event_id, RegistrationStatus.WAITING))
        ).first()
        confirmed = (
            await session.scalars(_with_status(ours.event_id, RegistrationStatus.REGISTERED))
        ).first()
        assert earliest is not None and confirmed is not None
        result = await repo.cancel(confirmed, datetime.now(UTC), promote=True)
        await session.commit()
    assert result.cancelled and result.promoted is not None
    assert result.promoted.id == earliest.id
    async with sm() as session:
        promoted = await session.get(Registration, earliest.id)
        event = await session.get(Event, ours.event_id)
        assert promoted is not None and promoted.status == RegistrationStatus.REGISTERED
        assert event is not None and event.taken == 10
        assert (
            len(
                (
                    await session.scalars(
                        _with_status(ours.event_id, RegistrationStatus.REGISTERED)
                    )
                ).all()
            )
            == 10
        )
