"""The period report's list of events: one line per event held, the table a yearly form's
«перечень мероприятий» is copied from (date, title, kind, meetings, seats, who came).

The same selection as storage.repositories.reports (first meeting within the period, none
cancelled), counted in SQL: a line per event needs no time zone arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SEATED, Event, EventSession, EventStatus, Registration, SessionMark
from storage.models import RegistrationStatus as St


@dataclass(frozen=True)
class EventStats:
    starts_at: datetime  # the first meeting in the МОЦ's zone, naive: Excel has no time zones
    title: str
    kind: str
    sessions: int
    seats: int  # registered or attended: a waiting list and cancellations are not seats
    attended: int  # ticked present at one meeting at least
    visits: int  # presence marks: one per meeting a person came to


async def event_rows(
    session: AsyncSession, start: datetime, end: datetime, tz: ZoneInfo
) -> tuple[EventStats, ...]:
    """Events with start <= first meeting < end, not cancelled, in the order they were held."""
    period = (
        Event.starts_at >= start,
        Event.starts_at < end,
        Event.status != EventStatus.CANCELLED,
    )
    events = (
        await session.execute(
            select(Event.id, Event.starts_at, Event.title, Event.kind)
            .where(*period)
            .order_by(Event.starts_at, Event.id)
        )
    ).all()
    meetings = await _count(
        session,
        select(EventSession.event_id, func.count())
        .join(Event, Event.id == EventSession.event_id)
        .where(*period)
        .group_by(EventSession.event_id),
    )
    seats = await _count(
        session,
        select(Registration.event_id, func.count())
        .join(Event, Event.id == Registration.event_id)
        .where(*period, Registration.status.in_(SEATED))
        .group_by(Registration.event_id),
    )
    came = await _count(
        session,
        select(Registration.event_id, func.count())
        .join(Event, Event.id == Registration.event_id)
        .where(*period, Registration.status == St.ATTENDED)
        .group_by(Registration.event_id),
    )
    visits = await _count(
        session,
        select(EventSession.event_id, func.count())
        .join(SessionMark, SessionMark.session_id == EventSession.id)
        .join(Registration, Registration.id == SessionMark.registration_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(*period, Registration.status != St.CANCELLED)
        .group_by(EventSession.event_id),
    )
    return tuple(
        EventStats(
            row.starts_at.astimezone(tz).replace(tzinfo=None),
            row.title,
            row.kind,
            meetings.get(row.id, 0),
            seats.get(row.id, 0),
            came.get(row.id, 0),
            visits.get(row.id, 0),
        )
        for row in events
    )


async def _count(session: AsyncSession, query: Select[int, int]) -> dict[int, int]:
    """(event id, n) rows → a dict; an event with no rows is 0 by `.get`."""
    rows = await session.execute(query)
    return {int(event_id): int(n) for event_id, n in rows.all()}
