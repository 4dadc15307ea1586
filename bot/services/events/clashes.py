"""Two events at one time: a teacher who signs up for a seminar at the hour of another they
hold a seat at is told so with the confirmation (not refused: they may mean to go to this one
and cancel the other, or to leave early), so a freed seat is not kept by someone who cannot
come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.markup import q
from bot.services.events.cards import short_when
from bot.texts import events as t
from storage.models import Event, EventSession, Registration, RegistrationStatus

HOLDING = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)


def _spans(event: Event) -> list[tuple[datetime, datetime]]:
    sessions = event.sessions or [EventSession(starts_at=event.starts_at)]
    return [
        (s.starts_at, s.starts_at + timedelta(minutes=s.duration_min or event.duration_min))
        for s in sessions
    ]


def first_clash(event: Event, other: Event, now: datetime) -> datetime | None:
    """The start of `other`'s first meeting ahead that overlaps a meeting of `event`."""
    mine = _spans(event)
    for start, end in sorted(_spans(other)):
        if end > now and any(start < e and s < end for s, e in mine):
            return start
    return None


def clash_note(
    event: Event, registrations: Sequence[Registration], now: datetime, tz: ZoneInfo
) -> str:
    """«⚠️ В это же время вы записаны на …» for each other event held at the same time, or ""."""
    lines = []
    for registration in registrations:
        other = registration.event
        if other.id == event.id or registration.status not in HOLDING:
            continue
        at = first_clash(event, other, now)
        if at is not None:
            lines.append(t.CLASH_LINE.format(title=q(other.title), when=short_when(at, tz)))
    return t.CLASH.format(lines="\n".join(lines)) if lines else ""
