"""Who may sign up for an event, and when: one rule for the card's «Записаться», the
registration itself and the events a broadcast may link to."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.texts import events as t
from storage.models import Event, EventStatus


def signup_blocker(event: Event, now: datetime) -> str | None:
    """Why registration is shut («closed», «past», «deadline»), or None while it is open."""
    if event.status != EventStatus.PUBLISHED:
        return "closed"
    if now >= event.starts_at:
        return "past"
    if event.registration_deadline is not None and now > event.registration_deadline:
        return "deadline"
    return None


def open_for_signup(event: Event, now: datetime) -> bool:
    return signup_blocker(event, now) is None


def cancel_refusal(event: Event, now: datetime) -> str | None:
    """A registration is not cancelled once the event has begun (the seat is history then;
    an old card's «Отменить запись» would free a seat nobody can take), nor once staff called
    the event off (the seat would go to the first in line with «Вы записаны»)."""
    if event.status == EventStatus.CANCELLED:
        return t.CANCEL_EVENT_OFF
    return t.CANCEL_STARTED if now >= event.starts_at else None


# The last hours before the start: a seat freed then goes to nobody (the first in the waiting
# list could not arrange to come, and a «Вы записаны» they never act on is a no-show on the
# report); those waiting are not told about it either — there is nothing they can take.
LAST_CALL = timedelta(hours=2)


def passes_on_seat(event: Event, now: datetime) -> bool:
    """A freed seat (a cancellation, more seats) goes to the first in the waiting list only
    until LAST_CALL before the start, never once the event was called off; in a series under
    way (a seat left by /forget_me) until LAST_CALL before its next meeting."""
    if event.status == EventStatus.CANCELLED:
        return False
    if now < event.starts_at:
        return now < event.starts_at - LAST_CALL
    ahead = [s.starts_at for s in event.sessions if s.starts_at > now]
    return bool(ahead) and now < min(ahead) - LAST_CALL


def ics_refusal(event: Event) -> str | None:
    """No calendar file for an event called off: an old card's «📅 В календарь» would put a
    seminar that is not going to happen in the teacher's calendar."""
    return t.ICS_EVENT_OFF if event.status == EventStatus.CANCELLED else None


def under_way(event: Event, now: datetime) -> bool:
    """Begun and not over: a seminar in its first hour, a workshop with meetings ahead."""
    ends = [s.starts_at + timedelta(minutes=s.duration_min) for s in event.sessions]
    last = max(ends, default=event.starts_at + timedelta(minutes=event.duration_min))
    return event.starts_at <= now < last


def signup_refusal(event: Event, now: datetime, tz: tzinfo) -> str | None:
    """What a teacher is told when registration is shut (a plain text for an alert)."""
    blocker = signup_blocker(event, now)
    if blocker == "deadline" and event.registration_deadline is not None:
        local = event.registration_deadline.astimezone(tz)
        return t.REG_DEADLINE.format(when=f"{local:%d.%m.%Y %H:%M}")
    if blocker == "closed" and event.status == EventStatus.CANCELLED:
        return t.REG_EVENT_OFF
    if blocker == "past" and under_way(event, now):
        return t.REG_UNDER_WAY  # «уже прошло» about an event going on now reads as a mistake
    return {"closed": t.REG_CLOSED, "past": t.REG_PAST}.get(blocker or "")
