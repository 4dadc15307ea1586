"""Which events, meetings and presence a period's report counts, for every table of it.

A report counts what took place within its days: each meeting in the period it met in, and so
each presence mark; an event (not cancelled) in every period where it had a meeting, so a
series that met in December and January is an event of both years, with December's meetings
and visits in the one and January's in the other. A teacher «присутствовал» in a period when
ticked present at one of its meetings there (a mark from before meetings were marked apart,
with no meeting of its own, counts wherever the event does).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Event, EventSession, EventStatus, Registration, SessionMark
from storage.models import RegistrationStatus as St

Where = ColumnElement[bool]


def meetings_in(start: datetime, end: datetime) -> tuple[Where, Where]:
    """A meeting (EventSession) that began with start <= moment < end."""
    return EventSession.starts_at >= start, EventSession.starts_at < end


def events_in(start: datetime, end: datetime) -> tuple[Where, Where]:
    """An event not cancelled with a meeting in the period (one without meeting rows: its
    start)."""
    meeting = aliased(EventSession)  # the query may join EventSession itself
    met = exists().where(
        meeting.event_id == Event.id, meeting.starts_at >= start, meeting.starts_at < end
    )
    began = and_(Event.starts_at >= start, Event.starts_at < end)
    return Event.status != EventStatus.CANCELLED, or_(met, began)


async def came_in(session: AsyncSession, start: datetime, end: datetime) -> set[int]:
    """Registrations of the period's events ticked present at a meeting within it."""
    return set((await session.scalars(came_query(start, end))).all())


def came_query(start: datetime, end: datetime) -> Select[int]:
    """`came_in` as a query, to filter by in SQL: a big year's ids, bound one by one, would
    go over PostgreSQL's limit of 32 767 arguments of a statement."""
    there = (
        select(SessionMark.registration_id)
        .join(EventSession, EventSession.id == SessionMark.session_id)
        .where(*meetings_in(start, end))
    )
    unmarked = ~exists().where(SessionMark.registration_id == Registration.id)
    return (
        select(Registration.id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            *events_in(start, end),
            Registration.status == St.ATTENDED,
            or_(Registration.id.in_(there), unmarked),
        )
    )
