"""Which session reminders are due: registered, active users of events that still take place.

A reminder is due for a session within its lead time that has no `reminders_sent` row for
that lead; the reminder service records that row before it sends (the unique key is the claim).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Event,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    ReminderSent,
    User,
)


class DueRow(NamedTuple):
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
            select(*_COLUMNS)
            .join(Event, Event.id == Registration.event_id)
            .join(EventSession, EventSession.event_id == Event.id)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.status == RegistrationStatus.REGISTERED,
                Event.status != EventStatus.CANCELLED,
                User.is_active.is_(True),
                EventSession.starts_at > now,
                EventSession.starts_at <= now + timedelta(minutes=lead_min),
                ~already.exists(),
            )
            .order_by(EventSession.starts_at, Registration.id)
        )
        return [DueRow(*row) for row in await self.session.execute(query)]
