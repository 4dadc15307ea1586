"""Seat bookkeeping that users notice: more seats move the waiting list up in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import SessionMaker
from storage.models import Event, RegistrationStatus
from storage.repositories import Repositories

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def test_raising_capacity_promotes_the_waiting_list_in_order(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker() as session:
        repo = Repositories(session)
        for uid in (1, 2, 3, 4):
            await repo.users.touch(uid, f"u{uid}", None, None)
        event = Event(
            title="Мастерская",
            kind="workshop",
            starts_at=NOW + timedelta(days=5),
            capacity=1,
            format="offline",
            place="МОЦ",
        )
        await repo.events.add(event)
        outcomes = [(await repo.events.register(event.id, uid)).outcome for uid in (1, 2, 3, 4)]
        assert outcomes == ["registered", "waiting", "waiting", "waiting"]
        event.capacity = 3
        promoted = await repo.events.fill_from_waiting(event.id, NOW)
        await repo.commit()
        assert [r.user_id for r in promoted] == [2, 3]
        await session.refresh(event)
        assert event.taken == 3
        fourth = await repo.events.registration(event.id, 4)
        assert fourth is not None and fourth.status == RegistrationStatus.WAITING
        assert await repo.events.waiting_position(fourth) == 1
