"""A broadcast's own states, each move one conditional UPDATE, so instances never collide.

scheduled → sending (claimed by one instance, kept alive by a heartbeat) → done; scheduled →
missed when the bot was down past the grace period; scheduled | sending → cancelled by an
admin. A claim whose heartbeat is older than the lease can be taken over (the instance died);
the same instance id takes its own claim back at once (a restart). A weekly broadcast books
its next occurrence in the same transaction that closes it, so exactly one is booked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from broadcasts.sql import rowcount
from storage.models import Broadcast, BroadcastState

WEEK = timedelta(days=7)
SCHEDULED, SENDING = BroadcastState.SCHEDULED, BroadcastState.SENDING


def _claimable(me: str, now: datetime, grace: timedelta, lease: timedelta) -> ColumnElement[bool]:
    due = and_(
        Broadcast.state == SCHEDULED,
        Broadcast.scheduled_at <= now,
        Broadcast.scheduled_at >= now - grace,
    )
    orphaned = and_(
        Broadcast.state == SENDING,
        or_(
            Broadcast.claimed_by == me,
            Broadcast.claimed_by.is_(None),
            Broadcast.heartbeat_at.is_(None),
            Broadcast.heartbeat_at < now - lease,
        ),
    )
    return or_(due, orphaned)


async def claimable_ids(
    session: AsyncSession, me: str, now: datetime, grace: timedelta, lease: timedelta
) -> list[int]:
    query = select(Broadcast.id).where(_claimable(me, now, grace, lease))
    return list((await session.scalars(query.order_by(Broadcast.scheduled_at))).all())


async def claim(
    session: AsyncSession, broadcast_id: int, me: str, now: datetime, grace: timedelta,
    lease: timedelta,
) -> bool:  # fmt: skip
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, _claimable(me, now, grace, lease))
        .values(
            state=SENDING,
            claimed_by=me,
            heartbeat_at=now,
            started_at=func.coalesce(Broadcast.started_at, now),
        )
    )
    return rowcount(result) == 1


async def overdue_ids(session: AsyncSession, now: datetime, grace: timedelta) -> list[int]:
    query = select(Broadcast.id).where(
        Broadcast.state == SCHEDULED, Broadcast.scheduled_at < now - grace
    )
    return list((await session.scalars(query)).all())


async def mark_missed(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.state == SCHEDULED)
        .values(state=BroadcastState.MISSED, finished_at=now)
    )
    return rowcount(result) == 1


async def state(session: AsyncSession, broadcast_id: int) -> str | None:
    return await session.scalar(select(Broadcast.state).where(Broadcast.id == broadcast_id))


async def still_mine(session: AsyncSession, broadcast_id: int, me: str) -> bool:
    """False once an admin cancelled it or another instance took it over."""
    found = await session.scalar(
        select(Broadcast.id).where(
            Broadcast.id == broadcast_id, Broadcast.state == SENDING, Broadcast.claimed_by == me
        )
    )
    return found is not None


async def heartbeat(session: AsyncSession, broadcast_id: int, me: str, now: datetime) -> bool:
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id, Broadcast.state == SENDING, Broadcast.claimed_by == me
        )
        .values(heartbeat_at=now)
    )
    return rowcount(result) == 1


async def release(session: AsyncSession, broadcast_id: int, me: str) -> None:
    """Graceful stop: leave it `sending` but unclaimed, so any instance resumes it at once."""
    await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id, Broadcast.state == SENDING, Broadcast.claimed_by == me
        )
        .values(claimed_by=None, heartbeat_at=None)
    )


async def finish(session: AsyncSession, broadcast_id: int, me: str, now: datetime) -> bool:
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id, Broadcast.state == SENDING, Broadcast.claimed_by == me
        )
        .values(state=BroadcastState.DONE, finished_at=now)
    )
    return rowcount(result) == 1


async def book_next(
    session: AsyncSession, broadcast: Broadcast, now: datetime
) -> Broadcast | None:
    """The next weekly occurrence (the first one still ahead), or None for a one-off."""
    if broadcast.repeat != "weekly":
        return None
    at = broadcast.scheduled_at + WEEK
    while at <= now:
        at += WEEK
    following = Broadcast(
        author_id=broadcast.author_id, content=broadcast.content, audiences=broadcast.audiences,
        tags=broadcast.tags, include_private=broadcast.include_private, state=SCHEDULED,
        scheduled_at=at, repeat="weekly", created_at=now,
    )  # fmt: skip
    session.add(following)
    await session.flush()
    return following
