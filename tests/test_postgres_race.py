"""Seats hold on PostgreSQL when hundreds of teachers press «Записаться» in the same second.

Why: on SQLite one writer at a time serialises everything for free; PostgreSQL runs the
transactions truly in parallel under READ COMMITTED, so the seat count is only as good as the
row lock `EventRepo` takes first. Every call below runs the bot's real `EventRepo` in its own
session and connection, all started at once with asyncio.gather, and the outcome is read back
from the database.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.registration_race import race  # noqa: E402
from storage.db import SessionMaker, create_sessionmaker  # noqa: E402
from storage.models import Event, Registration, RegistrationStatus, User  # noqa: E402
from storage.repositories.events import CancelResult, EventRepo  # noqa: E402

pytestmark = pytest.mark.postgres

TEACHERS, SEATS = 300, 20
CONNECTIONS = 50  # in flight at once; a developer's server allows 100 by default
BASE_ID = 6_000_000_000  # above 2**31, as real Telegram ids are


@pytest.fixture
async def engine(pg_database: str) -> AsyncIterator[AsyncEngine]:
    """More connections than one bot instance's pool (20), like several instances pressing
    at once: the race is between open transactions, not callers queueing for a small pool."""
    engine = create_async_engine(pg_database, pool_size=CONNECTIONS, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def sm(engine: AsyncEngine) -> SessionMaker:
    return create_sessionmaker(engine)


async def seed(sm: SessionMaker, n: int = TEACHERS, seats: int = SEATS) -> tuple[int, list[int]]:
    users = [BASE_ID + i for i in range(n)]
    async with sm() as session:
        session.add_all(User(id=u, first_name=f"Педагог {i}") for i, u in enumerate(users))
        event = Event(
            title="Семинар «Гонка»",
            kind="seminar",
            starts_at=datetime.now(UTC) + timedelta(days=7),
            capacity=seats,
        )
        await EventRepo(session).add(event)
        await session.commit()
        return event.id, users


async def register(sm: SessionMaker, event_id: int, user_id: int) -> str:
    async with sm() as session:
        outcome = (await EventRepo(session).register(event_id, user_id)).outcome
        await session.commit()
        return outcome


async def cancel(sm: SessionMaker, registration_id: int) -> CancelResult:
    async with sm() as session:
        registration = await session.get(Registration, registration_id)
        assert registration is not None
        result = await EventRepo(session).cancel(registration, datetime.now(UTC), promote=True)
        await session.commit()
        return result


async def fill(sm: SessionMaker, event_id: int) -> list[int]:
    async with sm() as session:
        promoted = await EventRepo(session).fill_from_waiting(event_id, datetime.now(UTC))
        await session.commit()
        return [r.id for r in promoted]


async def rows(sm: SessionMaker, event_id: int) -> Sequence[Registration]:
    async with sm() as session:
        found = await session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(Registration.queued_at, Registration.id)
        )
        return found.all()


async def taken(sm: SessionMaker, event_id: int) -> int:
    async with sm() as session:
        return int(await session.scalar(select(Event.taken).where(Event.id == event_id)) or 0)


def by_status(found: Sequence[Registration], status: RegistrationStatus) -> list[Registration]:
    return [r for r in found if r.status == status]


async def test_300_presses_for_20_seats(sm: SessionMaker) -> None:
    event_id, users = await seed(sm)
    outcomes = await asyncio.gather(*(register(sm, event_id, u) for u in users))
    assert Counter(outcomes) == {"registered": SEATS, "waiting": TEACHERS - SEATS}
    found = await rows(sm, event_id)
    assert len(found) == TEACHERS  # one row per teacher: no duplicates
    assert len({r.user_id for r in found}) == TEACHERS
    assert len(by_status(found, RegistrationStatus.REGISTERED)) == SEATS
    assert await taken(sm, event_id) == SEATS


async def test_double_presses_are_told_already_not_refused_by_the_key(sm: SessionMaker) -> None:
    """The benchmark's own race (50 teachers press twice at once): on PostgreSQL the event
    lock queues the second press behind the first, so it sees the row and answers «already»
    instead of running into the unique key."""
    report = await race(sm, n=TEACHERS, seats=SEATS, dupes=50, backend="postgresql")
    ours = report.ours
    assert report.passed, ours
    assert (ours.confirmed, ours.waiting, ours.duplicates, ours.taken) == (
        SEATS,
        TEACHERS - SEATS,
        0,
        SEATS,
    )
    assert ours.outcomes == {"registered": SEATS, "waiting": TEACHERS - SEATS, "already": 50}
    assert report.naive.confirmed >= SEATS  # the baseline has no lock: it may oversell


async def test_concurrent_cancels_promote_each_waiting_teacher_once(sm: SessionMaker) -> None:
    event_id, users = await seed(sm)
    await asyncio.gather(*(register(sm, event_id, u) for u in users))
    found = await rows(sm, event_id)
    leaving = by_status(found, RegistrationStatus.REGISTERED)[:10]
    queue = by_status(found, RegistrationStatus.WAITING)

    # ten teachers cancel at once, and each of them double-taps «Да, отменить»
    results = await asyncio.gather(*(cancel(sm, r.id) for r in leaving for _ in range(2)))
    done = [r for r in results if r.cancelled]
    assert len(results) == 20 and len(done) == 10  # the second tap of each changes nothing
    promoted = [r.promoted.id for r in done if r.promoted is not None]
    assert len(promoted) == 10 and len(set(promoted)) == 10  # nobody promoted twice
    assert set(promoted) == {r.id for r in queue[:10]}  # the first ten in the queue

    after = await rows(sm, event_id)
    assert len(by_status(after, RegistrationStatus.REGISTERED)) == SEATS
    assert len(by_status(after, RegistrationStatus.CANCELLED)) == 10
    assert len(by_status(after, RegistrationStatus.WAITING)) == TEACHERS - SEATS - 10
    assert await taken(sm, event_id) == SEATS


async def test_more_seats_filled_from_several_sessions_at_once(sm: SessionMaker) -> None:
    """Staff add 5 seats; three instances run fill_from_waiting at the same moment."""
    event_id, users = await seed(sm, n=40)
    await asyncio.gather(*(register(sm, event_id, u) for u in users))
    async with sm() as session:
        await session.execute(
            update(Event).where(Event.id == event_id).values(capacity=Event.capacity + 5)
        )
        await session.commit()
    moved = await asyncio.gather(*(fill(sm, event_id) for _ in range(3)))
    flat = [r for batch in moved for r in batch]
    assert len(flat) == 5 and len(set(flat)) == 5
    found = await rows(sm, event_id)
    assert len(by_status(found, RegistrationStatus.REGISTERED)) == SEATS + 5
    assert await taken(sm, event_id) == SEATS + 5
    async with sm() as session:
        total = await session.scalar(select(func.count()).select_from(Registration))
    assert total == 40
