"""The staff's list of events (the web panel): upcoming or past, by kind, a page at a time,
with the registrations of the shown events counted by status in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Event, EventSession, Registration


class EventPages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, now: datetime, *, past: bool, kind: str | None, offset: int, limit: int
    ) -> Sequence[Event]:
        """Upcoming: the last session has not started yet, soonest first (cancelled ones too:
        staff see them); past: the rest, latest first."""
        last = (
            select(func.max(EventSession.starts_at))
            .where(EventSession.event_id == Event.id)
            .scalar_subquery()
        )
        query = select(Event).options(selectinload(Event.sessions))
        if past:
            query = query.where(last < now).order_by(Event.starts_at.desc(), Event.id.desc())
        else:
            query = query.where(last >= now).order_by(Event.starts_at, Event.id)
        if kind:
            query = query.where(Event.kind == kind)
        return (await self.session.scalars(query.offset(offset).limit(limit))).all()

    async def counts(self, event_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Registrations per event and status."""
        found: dict[int, dict[str, int]] = defaultdict(dict)
        if not event_ids:
            return found
        rows = await self.session.execute(
            select(Registration.event_id, Registration.status, func.count())
            .where(Registration.event_id.in_(event_ids))
            .group_by(Registration.event_id, Registration.status)
        )
        for event_id, status, count in rows.all():
            found[event_id][status] = count
        return found
