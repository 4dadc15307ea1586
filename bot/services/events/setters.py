"""Changing one field of a published event from a typed answer: the checks of
bot.services.events.form, then the change itself. Shared by the bot's edit dialog (one field
per answer) and the web panel's edit form (every changed field of one form)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.dates import format_local
from bot.core.markup import fill
from bot.services.events import form
from bot.texts import events_admin as t
from storage.models import Event, EventSession

Setter = Callable[[Event, str, form.FormContext], bool]  # True: tell the participants


def _set_starts(event: Event, text: str, ctx: form.FormContext) -> bool:
    """New meeting times; True when a meeting ahead changed (a held one corrected is no news)."""
    held = sorted(s.starts_at for s in event.sessions if s.starts_at <= ctx.now)
    movable = len([m for m in held if ctx.marked is not None and m not in ctx.marked])
    moments = form.all_sessions(text, ctx, held, movable, len(event.sessions))
    _check_fewer(event, text, moments, ctx)
    deadline = event.registration_deadline
    if deadline is not None and deadline > moments[0]:
        raise form.FormError(
            fill(t.DEADLINE_CONFLICT, deadline=format_local(deadline, ctx.tz),
                 start=format_local(moments[0], ctx.tz))
        )  # fmt: skip
    before = [s.starts_at for s in event.sessions]
    if before == moments:
        return False
    event.sessions = _rows(event, moments, ctx)
    event.starts_at = moments[0]
    return [m for m in before if m > ctx.now] != [m for m in moments if m > ctx.now]


def _check_fewer(event: Event, text: str, moments: list[datetime], ctx: form.FormContext) -> None:
    """Meetings dropped from a series go out to everyone at once and leave their calendars, so
    the bot's dialog asks first: a methodist moving one meeting often types just its date."""
    before = len(event.sessions)
    if ctx.confirmed is None or len(moments) >= before or ctx.confirmed == text.strip():
        return
    shown = "; ".join(format_local(m, ctx.tz) for m in moments)
    raise form.FewerMeetings(fill(t.FEWER_MEETINGS, before=before, after=len(moments), now=shown))


def _rows(event: Event, moments: list[datetime], ctx: form.FormContext) -> list[EventSession]:
    """A meeting whose time stays keeps its row, or a workshop's unchanged first meeting is
    reminded twice; a meeting ahead that moved is a fresh row (reminders sent for its old time
    go with it). A held meeting whose time is corrected keeps its row, and so the presence
    marks at it (matched in order with the new past times, those with marks first); a begun
    one nobody was marked at that moves ahead is a fresh row too: its reminders were for a
    time gone, the new time gets its own, once."""
    kept: dict[datetime, EventSession] = {s.starts_at: s for s in event.sessions}
    gone = [s for s in event.sessions if s.starts_at <= ctx.now and s.starts_at not in moments]
    marked = ctx.marked

    def unmarked(row: EventSession) -> bool:
        return marked is not None and row.starts_at not in marked

    corrected = iter(sorted(gone, key=lambda s: (unmarked(s), s.starts_at)))
    rows = []
    for moment in moments:
        row = kept.pop(moment, None)
        if row is None and moment <= ctx.now:
            row = next(corrected, None)
            if row is not None:
                row.starts_at = moment
        rows.append(row or EventSession(starts_at=moment, duration_min=event.duration_min))
    return rows


def _set_duration(event: Event, text: str, ctx: form.FormContext) -> bool:
    """A new length moves the end: news for the participants, as a new start is."""
    minutes = form.duration(text, ctx)
    changed, event.duration_min = minutes != event.duration_min, minutes
    for session in event.sessions:
        session.duration_min = event.duration_min
    return changed


def _set_place(event: Event, text: str, ctx: form.FormContext) -> bool:
    value = form.place(text, ctx)
    changed, event.place = value != event.place, value
    return changed


def _set(attribute: str, parse: Callable[[str, form.FormContext], Any]) -> Setter:
    def setter(event: Event, text: str, ctx: form.FormContext) -> bool:
        setattr(event, attribute, parse(text, ctx))
        return False

    return setter


SETTERS: dict[str, Setter] = {
    "title": _set("title", form.title),
    "starts": _set_starts,
    "duration": _set_duration,
    "place": _set_place,
    "capacity": _set("capacity", form.capacity),
    "deadline": _set("registration_deadline", form.deadline),
    "description": _set("description", form.description),
}
