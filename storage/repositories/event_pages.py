"""The staff's list of events (the web panel): upcoming or past, by kind, a page at a time,
with the registrations of the shown events counted by status in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Event, EventSession, Registration

_Row = TypeVar("_Row")


class EventPages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, now: datetime, *, past: bool, kind: str | None, offset: int, limit: int
    ) -> Sequence[Event]:
        """Upcoming: the last session has not started yet, soonest first (cancelled ones too:
        staff see them); past: the rest, latest first."""
        query = _listed(select(Event).options(selectinload(Event.sessions)), now, past, kind)
        if past:
            query = query.order_by(Event.starts_at.desc(), Event.id.desc())
        else:
            query = query.order_by(Event.starts_at, Event.id)
        return (await self.session.scalars(query.offset(offset).limit(limit))).all()

    async def total(self, now: datetime, *, past: bool, kind: str | None) -> int:
        """How many events `page` pages through (for an address past the last page)."""
        query = _listed(select(func.count()).select_from(Event), now, past, kind)
        return int(await self.session.scalar(query) or 0)

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


def _listed(query: Select[_Row], now: datetime, past: bool, kind: str | None) -> Select[_Row]:
    """The events of one list: upcoming while the last session has not started, else past."""
    last = (
        select(func.max(EventSession.starts_at))
        .where(EventSession.event_id == Event.id)
        .scalar_subquery()
    )
    query = query.where(last < now if past else last >= now)
    return query.where(Event.kind == kind) if kind else query
