"""Broadcasts and their own states, each move one conditional UPDATE, so instances never collide.

scheduled → sending (claimed by one instance, kept alive by a heartbeat) → done; scheduled →
missed when the bot was down past the grace period; scheduled | sending | held → cancelled by
an admin; sending → held when it was interrupted for too long (its author decides: held →
sending, or held → cancelled). A claim whose heartbeat is older than the lease can be taken
over (the instance died); the same instance id takes its own claim back at once (a restart).
Each move returns whether this call made it: of two callers exactly one gets True.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast, BroadcastState
from storage.repositories.sql import affected

SCHEDULED, SENDING, HELD = BroadcastState.SCHEDULED, BroadcastState.SENDING, BroadcastState.HELD
CANCELLED = BroadcastState.CANCELLED


def _claimable(
    me: str, now: datetime, grace: timedelta, lease: timedelta, pause: timedelta
) -> ColumnElement[bool]:
    """Due and not missed, or half-sent, nobody running it and stopped less than `pause` ago
    (one stopped longer is for its author to decide, broadcasts.paused: never resumed here,
    even when it turns up between that check and this claim)."""
    due = and_(
        Broadcast.state == SCHEDULED,
        Broadcast.scheduled_at <= now,
        Broadcast.scheduled_at >= now - grace,
    )
    fresh = func.coalesce(Broadcast.heartbeat_at, Broadcast.started_at, now) >= now - pause
    return or_(due, and_(Broadcast.state == SENDING, _unowned(me, now, lease), fresh))


def _unowned(me: str, now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Nobody runs it: given up, its instance dead, or ours from before a restart."""
    return or_(
        Broadcast.claimed_by == me,
        Broadcast.claimed_by.is_(None),
        Broadcast.heartbeat_at.is_(None),
        Broadcast.heartbeat_at < now - lease,
    )


def _paused_since(since: datetime) -> ColumnElement[bool]:
    """Its last sign of work (the heartbeat; the start when there was none) is before `since`."""
    return func.coalesce(Broadcast.heartbeat_at, Broadcast.started_at) < since


def _mine(broadcast_id: int, me: str) -> ColumnElement[bool]:
    return and_(
        Broadcast.id == broadcast_id, Broadcast.state == SENDING, Broadcast.claimed_by == me
    )


class BroadcastRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def get_one(self, broadcast_id: int) -> Broadcast:
        return await self.session.get_one(Broadcast, broadcast_id)

    async def add(self, broadcast: Broadcast) -> Broadcast:
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def recent(self, limit: int, offset: int = 0) -> list[Broadcast]:
        rows = await self.session.scalars(
            select(Broadcast).order_by(Broadcast.id.desc()).offset(offset).limit(limit)
        )
        return list(rows.all())

    async def alike(
        self, author_id: int | None, content: str, columns: dict[str, object], since: datetime
    ) -> list[Broadcast]:
        """This author's broadcasts of this content and target made since `since`, newest
        first (a form sent again: broadcasts.service.twin)."""
        where = [Broadcast.author_id == author_id, Broadcast.content == content]
        where += [getattr(Broadcast, name) == value for name, value in columns.items()]
        rows = await self.session.scalars(
            select(Broadcast)
            .where(*where, Broadcast.created_at >= since)
            .order_by(Broadcast.id.desc())
        )
        return list(rows.all())

    async def scheduled(self) -> list[Broadcast]:
        """Broadcasts waiting for their time, soonest first."""
        rows = await self.session.scalars(
            select(Broadcast)
            .where(Broadcast.state == SCHEDULED)
            .order_by(Broadcast.scheduled_at, Broadcast.id)
        )
        return list(rows.all())

    async def contents(self, ids: Sequence[int]) -> dict[int, str]:
        """id → content JSON, without loading the rest of each row."""
        rows = await self.session.execute(
            select(Broadcast.id, Broadcast.content).where(Broadcast.id.in_(list(ids)))
        )
        return {broadcast_id: content for broadcast_id, content in rows}

    async def state(self, broadcast_id: int) -> str | None:
        query = select(Broadcast.state).where(Broadcast.id == broadcast_id)
        return await self.session.scalar(query)

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        """scheduled|sending|held → cancelled."""
        return await self._move(
            and_(Broadcast.id == broadcast_id, Broadcast.state.in_((SCHEDULED, SENDING, HELD))),
            state=BroadcastState.CANCELLED, finished_at=now,
        )  # fmt: skip

    async def reschedule(self, broadcast_id: int, at: datetime) -> bool:
        """A broadcast that has not started moves; False once it is sending, done or cancelled."""
        return await self._move(
            and_(Broadcast.id == broadcast_id, Broadcast.state == SCHEDULED), scheduled_at=at
        )

    async def claimable_ids(
        self, me: str, now: datetime, grace: timedelta, lease: timedelta, pause: timedelta
    ) -> list[int]:
        query = select(Broadcast.id).where(_claimable(me, now, grace, lease, pause))
        return list((await self.session.scalars(query.order_by(Broadcast.scheduled_at))).all())

    async def claim(
        self,
        broadcast_id: int,
        me: str,
        now: datetime,
        grace: timedelta,
        lease: timedelta,
        pause: timedelta,
    ) -> bool:
        return await self._move(
            and_(Broadcast.id == broadcast_id, _claimable(me, now, grace, lease, pause)),
            state=SENDING, claimed_by=me, heartbeat_at=now,
            started_at=func.coalesce(Broadcast.started_at, now),
        )  # fmt: skip

    async def overdue_ids(self, now: datetime, grace: timedelta) -> list[int]:
        query = select(Broadcast.id).where(
            Broadcast.state == SCHEDULED, Broadcast.scheduled_at < now - grace
        )
        return list((await self.session.scalars(query)).all())

    async def mark_missed(self, broadcast_id: int, now: datetime) -> bool:
        return await self._move(
            and_(Broadcast.id == broadcast_id, Broadcast.state == SCHEDULED),
            state=BroadcastState.MISSED, finished_at=now, reported_at=now,
        )  # fmt: skip

    async def stale_ids(
        self, me: str, now: datetime, lease: timedelta, pause: timedelta
    ) -> list[int]:
        """Half-sent broadcasts nobody runs whose sending stopped longer than `pause` ago."""
        query = select(Broadcast.id).where(
            Broadcast.state == SENDING, _unowned(me, now, lease), _paused_since(now - pause)
        )
        return list((await self.session.scalars(query.order_by(Broadcast.id))).all())

    async def hold(
        self, broadcast_id: int, me: str, now: datetime, lease: timedelta, pause: timedelta
    ) -> bool:
        """sending (nobody runs it, paused longer than `pause`) → held."""
        return await self._move(
            and_(
                Broadcast.id == broadcast_id, Broadcast.state == SENDING,
                _unowned(me, now, lease), _paused_since(now - pause),
            ),
            state=HELD, claimed_by=None,
        )  # fmt: skip

    async def resume(self, broadcast_id: int, now: datetime) -> bool:
        """held → sending, unclaimed and fresh: the next worker pass goes on with it."""
        return await self._move(
            and_(Broadcast.id == broadcast_id, Broadcast.state == HELD),
            state=SENDING, claimed_by=None, heartbeat_at=now,
        )  # fmt: skip

    async def drop(self, broadcast_id: int, now: datetime) -> bool:
        """held → cancelled: its author chose «Не досылать»."""
        return await self._move(
            and_(Broadcast.id == broadcast_id, Broadcast.state == HELD),
            state=CANCELLED, finished_at=now,
        )  # fmt: skip

    async def unreported_cancels(self, me: str, now: datetime, lease: timedelta) -> list[int]:
        """Cancelled after sending started, with no report yet, and no live job to write it
        (cancelled while the bot was down, stopped, or waiting for its author's decision)."""
        query = select(Broadcast.id).where(
            Broadcast.state == CANCELLED,
            Broadcast.started_at.is_not(None),
            Broadcast.reported_at.is_(None),
            _unowned(me, now, lease),
        )
        return list((await self.session.scalars(query.order_by(Broadcast.id))).all())

    async def mark_reported(self, broadcast_id: int, now: datetime) -> bool:
        """Of the callers about to send the same final report, exactly one gets True."""
        return await self._move(
            and_(Broadcast.id == broadcast_id, Broadcast.reported_at.is_(None)), reported_at=now
        )

    async def still_mine(self, broadcast_id: int, me: str) -> bool:
        """False once an admin cancelled it or another instance took it over."""
        found = await self.session.scalar(select(Broadcast.id).where(_mine(broadcast_id, me)))
        return found is not None

    async def heartbeat(self, broadcast_id: int, me: str, now: datetime) -> bool:
        return await self._move(_mine(broadcast_id, me), heartbeat_at=now)

    async def release(self, broadcast_id: int, me: str) -> None:
        """Graceful stop: leave it `sending` but unclaimed, so any instance resumes it at once;
        the last heartbeat stays, the time sending paused (`stale_ids`)."""
        await self._move(_mine(broadcast_id, me), claimed_by=None)

    async def finish(self, broadcast_id: int, me: str, now: datetime) -> bool:
        return await self._move(
            _mine(broadcast_id, me), state=BroadcastState.DONE, finished_at=now, reported_at=now
        )

    async def move_progress(
        self, chat_id: int, old_id: int, message_id: int, mid: str | None
    ) -> None:
        """The progress message was sent anew: every broadcast pointing at the old one (a
        weekly series shares it) points at the new one, which is not to be sent anew again."""
        await self.session.execute(
            update(Broadcast)
            .where(Broadcast.progress_chat_id == chat_id, Broadcast.progress_message_id == old_id)
            .values(progress_message_id=message_id, progress_mid=mid, progress_anew=True)
        )

    async def _move(self, where: ColumnElement[bool], **values: object) -> bool:
        """One conditional UPDATE of one broadcast; True when this call changed it."""
        return await affected(self.session, update(Broadcast).where(where).values(**values)) == 1
