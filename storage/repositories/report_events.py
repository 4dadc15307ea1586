"""The period report's list of events: one line per event held, the table a yearly form's
«перечень мероприятий» is copied from (date, title, kind, meetings, seats, who came).

The same selection as storage.repositories.reports (storage.repositories.report_scope: an event
in each period it met in, with that period's meetings and visits), counted in SQL: a line per
event needs no time zone arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SEATED, Event, EventSession, Registration, SessionMark
from storage.models import RegistrationStatus as St
from storage.repositories.documents import DocumentRepo
from storage.repositories.report_scope import came_query, events_in, meetings_in


@dataclass(frozen=True)
class EventStats:
    starts_at: datetime  # its first meeting in the period, in the МОЦ's zone, naive (Excel)
    title: str
    kind: str
    sessions: int  # meetings within the period
    seats: int  # registered or attended: a waiting list and cancellations are not seats
    attended: int  # ticked present at one of the period's meetings at least
    visits: int  # presence marks at the period's meetings: one per meeting a person came to
    documents: int = 0  # participation documents given out for it (whenever)
    planned: bool = False  # its (last) meeting of the period is still ahead: not held yet


async def event_rows(
    session: AsyncSession, start: datetime, end: datetime, tz: ZoneInfo, now: datetime | None
) -> tuple[EventStats, ...]:
    """Events that met with start <= moment < end, not cancelled, in the order they met;
    `planned` those whose last meeting there begins after `now` (None: none is)."""
    period, met = events_in(start, end), meetings_in(start, end)
    events = (
        await session.execute(
            select(Event.id, Event.starts_at, Event.title, Event.kind)
            .where(*period)
            .order_by(Event.id)
        )
    ).all()
    firsts = await session.execute(
        select(
            EventSession.event_id,
            func.min(EventSession.starts_at),
            func.count(),
            func.max(EventSession.starts_at),
        )
        .join(Event, Event.id == EventSession.event_id)
        .where(*period, *met)
        .group_by(EventSession.event_id)
    )
    meetings = {int(e): (first, int(n), last) for e, first, n, last in firsts.all()}
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
        .where(Registration.id.in_(came_query(start, end)))
        .group_by(Registration.event_id),
    )
    visits = await _count(
        session,
        select(EventSession.event_id, func.count())
        .join(SessionMark, SessionMark.session_id == EventSession.id)
        .join(Registration, Registration.id == SessionMark.registration_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(*period, *met, Registration.status != St.CANCELLED)
        .group_by(EventSession.event_id),
    )
    documents = await DocumentRepo(session).by_event()
    rows = []
    for row in events:  # an event without meeting rows: its own start, no meetings counted
        first, held, last = meetings.get(row.id, (row.starts_at, 0, row.starts_at))
        rows.append(
            EventStats(
                first.astimezone(tz).replace(tzinfo=None),
                row.title,
                row.kind,
                held,
                seats.get(row.id, 0),
                came.get(row.id, 0),
                visits.get(row.id, 0),
                documents.get(row.id, 0),
                now is not None and _aware(last) > now,
            )
        )
    return tuple(sorted(rows, key=lambda e: e.starts_at))


def _aware(moment: datetime) -> datetime:
    """SQLite's MAX() gives back a naive UTC moment."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _count(session: AsyncSession, query: Select[int, int]) -> dict[int, int]:
    """(event id, n) rows → a dict; an event with no rows is 0 by `.get`."""
    rows = await session.execute(query)
    return {int(event_id): int(n) for event_id, n in rows.all()}
