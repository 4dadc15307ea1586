"""Staff changes to a published event: one field, closing and reopening registration, cancelling.

Shared by Telegram's staff dialogs (handlers/events_admin) and MAX's (handlers/max): the field
goes through bot.services.events.setters (the form's checks), a new time or place and a
cancellation queue their notices in the same transaction (bot.services.events.changes), and
more seats move the waiting list up at once. The caller tells the people promoted and wakes
the broadcast worker after telling the author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.config import Settings
from bot.core.markup import fit_toast
from bot.services.events import changes, form
from bot.services.events.registration import fill_seats
from bot.services.events.setters import SETTERS
from bot.texts import events_admin as t
from storage.models import Event, EventStatus, Registration
from storage.repositories import Repositories


def status_toast(template: str, event: Event) -> str:
    """«Запись на «…» закрыта/снова открыта» as a button's answer: plain text (no HTML
    escapes: «&» stays «&»), the title cut so that the whole fits in TOAST_LIMIT."""
    return fit_toast(template, "title", event.title)


@dataclass
class Saved:
    """What saving a field led to: notice broadcasts queued, people moved off the waiting list."""

    notices: list[int] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)


async def save_field(
    repo: Repositories, settings: Settings, author_id: int, now: datetime, event: Event,
    name: str, text: str, confirmed: str = "",
) -> Saved:  # fmt: skip
    """Set `name` of `event` from `text` and commit; FormError (nothing kept) if it does not do.
    New dates that drop meetings raise FewerMeetings unless `text` is `confirmed` (the same
    answer, sent again after the warning)."""
    marked = await repo.events.marked_meetings(event.id)
    ctx = form.FormContext(
        settings.tz, now, event.format, event.starts_at, event.taken, marked, confirmed
    )
    before, shown = changes.meetings(event), changes.calendar_view(event)
    try:
        notify = SETTERS[name](event, text, ctx)
        form.check_card_length(event, settings.tz)
    except form.FormError:
        await repo.rollback()  # nothing half-changed stays in the session
        raise
    event.updated_at = now
    changes.mark_revision(event, shown)
    saved = Saved()
    if notify:
        saved.notices = await changes.queue_change(
            repo, settings, author_id, now, event, (name,), before
        )
    await repo.commit()
    if name == "capacity":  # more seats: the waiting list moves up at once
        saved.promoted = await fill_seats(repo, event, now)
        await repo.commit()
        await repo.session.refresh(event)
    return saved


def editable(event: Event | None) -> bool:
    return event is not None and event.status != EventStatus.CANCELLED


async def close(repo: Repositories, event: Event, now: datetime) -> bool:
    """Close registration; False when it was not open (closed or cancelled already)."""
    if event.status != EventStatus.PUBLISHED or not await repo.events.set_status(
        event.id, EventStatus.CLOSED
    ):
        return False
    event.status, event.updated_at = EventStatus.CLOSED, now  # the view reads these
    await repo.commit()
    return True


def reopen_refusal(event: Event, now: datetime) -> str | None:
    """Why registration may not open again: it is not closed (open, or called off), or the
    event has begun — nobody signs up for a day under way. Seats stay as counted: people
    sign up (or join the waiting list) by the usual seat rule."""
    if event.status != EventStatus.CLOSED:
        return t.REOPEN_NOT_CLOSED
    return t.REOPEN_STARTED if now >= event.starts_at else None


async def reopen(repo: Repositories, event: Event, now: datetime) -> bool:
    """Open registration closed by staff again; False when `reopen_refusal` has a reason."""
    if reopen_refusal(event, now) or not await repo.events.reopen(event.id, now):
        return False
    event.status, event.updated_at = EventStatus.PUBLISHED, now  # the view reads these
    await repo.commit()
    return True


def cancel_refusal(event: Event, now: datetime) -> str | None:
    """Why staff may not call the event off: done already, or begun — the participants would
    be told «отменено» of a day they had, and the report would lose their attendance."""
    if event.status == EventStatus.CANCELLED:
        return t.ALREADY_CANCELLED
    return t.CANCEL_HELD if now >= event.starts_at else None


async def cancel(
    repo: Repositories, settings: Settings, author_id: int, now: datetime, event: Event
) -> list[int] | None:
    """Cancel the event and queue its notice to everyone registered or waiting: the notice
    ids; None when it was cancelled already or has begun (`cancel_refusal` says which)."""
    if now >= event.starts_at or not await repo.events.set_status(event.id, EventStatus.CANCELLED):
        return None
    event.status, event.updated_at = EventStatus.CANCELLED, now
    ids = await changes.queue_cancellation(repo, settings, author_id, now, event)
    await repo.commit()
    return ids
