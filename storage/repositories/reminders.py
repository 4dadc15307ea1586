"""Which session reminders are due: seated, active users of events that still take place.

A seat ticked «attended» at a workshop's first meeting still holds its later meetings: those
are reminded too (the tick is allowed from the first start, not only after the last).

A reminder is due for a session within its lead time that has no `reminders_sent` row for
that lead; the reminder service records that row before it sends (the unique key is the claim).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    SEATED,
    Event,
    EventSession,
    EventStatus,
    Registration,
    ReminderSent,
    User,
)


class DueRow(NamedTuple):
    """One reminder to send: a registration, one session of its event, one lead time."""

    lead_min: int
    registration_id: int
    user_id: int
    session_id: int
    starts_at: datetime
    title: str
    format: str
    place: str
    number: int  # which session of the event («занятие 2 из 3»)
    total: int


_OTHER = aliased(EventSession)
_NUMBER = (
    select(func.count(_OTHER.id))
    .where(
        _OTHER.event_id == EventSession.event_id,
        tuple_(_OTHER.starts_at, _OTHER.id) <= tuple_(EventSession.starts_at, EventSession.id),
    )
    .scalar_subquery()
)
_TOTAL = select(func.count(_OTHER.id)).where(_OTHER.event_id == EventSession.event_id)
_COLUMNS = (
    Registration.id, Registration.user_id, EventSession.id, EventSession.starts_at,
    Event.title, Event.format, Event.place, _NUMBER, _TOTAL.scalar_subquery(),
)  # fmt: skip


class ReminderRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due(self, lead_min: int, now: datetime) -> list[DueRow]:
        """Sessions starting within `lead_min` minutes whose reminder for that lead is unsent."""
        already = select(ReminderSent.id).where(
            ReminderSent.registration_id == Registration.id,
            ReminderSent.session_id == EventSession.id,
            ReminderSent.lead_min == lead_min,
        )
        query = (
            select(literal(lead_min), *_COLUMNS)
            .join(Event, Event.id == Registration.event_id)
            .join(EventSession, EventSession.event_id == Event.id)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.status.in_(SEATED),
                Event.status != EventStatus.CANCELLED,
                User.is_active.is_(True),
                EventSession.starts_at > now,
                EventSession.starts_at <= now + timedelta(minutes=lead_min),
                ~already.exists(),
            )
            .order_by(EventSession.starts_at, Registration.id)
        )
        return [DueRow(*row) for row in await self.session.execute(query)]

    async def claim(self, due: DueRow, now: datetime) -> bool:
        """Record the reminder as sent before sending it; False when another pass has.

        Commits on its own (a savepoint would not do: the row must be visible to other
        instances before the send), so call it on a session that holds nothing else."""
        self.session.add(
            ReminderSent(
                registration_id=due.registration_id,
                session_id=due.session_id,
                lead_min=due.lead_min,
                sent_at=now,
            )
        )
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            return False
        return True
