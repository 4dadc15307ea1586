"""Telling the people of an event about a change: a new time or place, a cancellation.

A change people planned their day around goes to everyone registered or waiting as a notice
broadcast queued in the same transaction as the change — never a notice about a change that
was rolled back, never a change without its notice, even if the process dies half-way through
the list (the broadcast worker resumes it). Shared by the bot's staff dialogs and the web panel.

The registered have the event in their phone calendar (the .ics they got with «Вы записаны»):
their notice is the updated .ics with the text as its caption — the same UIDs and a higher
SEQUENCE, so the calendar moves its entry and alarm (or removes it: STATUS:CANCELLED) instead
of keeping the old time. The waiting list has no entry and gets the text alone.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.core.config import Settings
from bot.core.markup import fill, q
from bot.services.events.cards import place_text, schedule_text
from bot.services.events.registration import ics_file
from bot.texts import events_admin as t
from broadcasts import service
from broadcasts.content import fits_caption
from storage.models import SEATED, Event, RegistrationStatus
from storage.repositories import Repositories

# the changes that are news for the participants; a new length is a new end, told as a time
NOTIFIED_FIELDS = ("starts", "duration", "place")
TIME_FIELDS = ("starts", "duration")


async def queue_notices(
    repo: Repositories, author_id: int | None, now: datetime, batches: list[tuple[list[int], str]]
) -> list[int]:
    """Each (users, text) as a notice broadcast, in the caller's transaction; their ids."""
    ids = []
    for user_ids, text in batches:
        notice = await service.create_notice(
            repo.session, author_id=author_id, text=text, user_ids=user_ids, now=now
        )
        if notice is not None:
            ids.append(notice.id)
    return ids


Meetings = list[tuple[datetime, int]]  # each meeting's start and minutes, in order


def calendar_view(event: Event) -> tuple[object, ...]:
    """What the event's .ics shows: read it before a change and give it to `mark_revision`."""
    return (event.title, event.description, event.place, event.format, event.speaker,
            event.organiser, event.starts_at, event.duration_min,
            tuple(meetings(event)))  # fmt: skip


def mark_revision(event: Event, before: tuple[object, ...]) -> None:
    """A higher SEQUENCE for any change the calendar file shows — a new title or description
    too, though nobody is told of it: a calendar keeps the entry it has for this UID unless
    the file «📅 В календарь» gives it later carries a higher SEQUENCE (RFC 5546)."""
    if calendar_view(event) != before:
        event.revision = (event.revision or 0) + 1


def meetings(event: Event) -> Meetings:
    """What the teacher's calendar holds by number (UID …-session-N): read it before a
    change, so `queue_change` can take the meetings that are gone off the calendar."""
    return sorted((s.starts_at, s.duration_min) for s in event.sessions)


async def queue_with_ics(
    repo: Repositories, settings: Settings, author_id: int | None, now: datetime, event: Event,
    user_ids: list[int], text: str, dropped: Meetings | None = None,
) -> list[int]:  # fmt: skip
    """The notice as the caption of the event's .ics, in the caller's transaction; a text too
    long for a caption goes first on its own, the file after it with the title."""
    ics = ics_file(event, settings, dropped or ())
    file = service.NoticeFile(ics.filename, "text/calendar", ics.data)
    notices: list[tuple[str, service.NoticeFile | None]] = [(text, file)]
    if not fits_caption(text):
        notices = [(text, None), (q(event.title)[:1000], file)]
    ids = []
    for body, attached in notices:
        notice = await service.create_notice(
            repo.session, author_id=author_id, text=body, user_ids=user_ids, now=now,
            file=attached,
        )  # fmt: skip
        if notice is not None:
            ids.append(notice.id)
    return ids


def notice_ids(ids: list[int]) -> str:
    return ", ".join(f"№{i}" for i in ids)


async def audience(repo: Repositories, event_id: int) -> tuple[list[int], list[int]]:
    """User ids of the seated (a workshop's seat ticked «attended» at its first meeting holds
    the later ones) and of the waiting list."""
    regs = await repo.events.participants(event_id)
    registered = [r.user_id for r in regs if r.status in SEATED and r.user_id is not None]
    waiting = [
        r.user_id for r in regs if r.status == RegistrationStatus.WAITING and r.user_id is not None
    ]
    return registered, waiting


async def audience_size(repo: Repositories, event_id: int) -> int:
    """How many people a notice about this event reaches (registered and waiting): staff are
    told this number, not how many notice broadcasts carry it."""
    registered, waiting = await audience(repo, event_id)
    return len({*registered, *waiting})


def meetings_ahead(event: Event, now: datetime) -> bool:
    """Whether a meeting of the event has yet to begin."""
    starts = [s.starts_at for s in event.sessions] or [event.starts_at]
    return any(start > now for start in starts)


def schedule(event: Event, settings: Settings) -> str:
    return schedule_text(event, settings.tz)


def change_text(event: Event, fields: Collection[str], settings: Settings, show_link: bool) -> str:
    """The notice of a new time (`starts`, `duration`), a new place, or both at once (one
    message, not two); Telegram HTML, escaped."""
    when = schedule(event, settings)
    timed = any(f in TIME_FIELDS for f in fields)
    if "place" not in fields:
        return fill(t.CHANGED_TIME, title=event.title, when=when)
    place = place_text(event, show_link)  # already escaped
    template = t.CHANGED_TIME_AND_PLACE if timed else t.CHANGED_PLACE
    return template.format(title=q(event.title), when=q(when), place=place)


async def queue_change(
    repo: Repositories, settings: Settings, author_id: int | None, now: datetime, event: Event,
    fields: Collection[str], before: Meetings | None = None,
) -> list[int]:  # fmt: skip
    """One notice for everything in `fields` that changed together (the panel saves the whole
    form). The waiting list does not get an online link: it is only for those with a seat. An
    event with no meeting ahead (staff correct it for the report) is no news: nobody is told;
    a workshop under way is — its next meetings are at the new place or length. `before`:
    `meetings(event)` before the change; those past the new count leave the calendar. The
    caller has given the event its new revision (`mark_revision`), so the file moves the entry."""
    if not fields or not meetings_ahead(event, now):
        return []
    registered, waiting = await audience(repo, event.id)
    text = change_text(event, fields, settings, True)
    dropped = (before or [])[len(event.sessions) :]
    ids = await queue_with_ics(repo, settings, author_id, now, event, registered, text, dropped)
    waiting_text = change_text(event, fields, settings, False)
    return ids + await queue_notices(repo, author_id, now, [(waiting, waiting_text)])


async def queue_cancellation(
    repo: Repositories, settings: Settings, author_id: int | None, now: datetime, event: Event
) -> list[int]:
    """Everyone registered or waiting is told the event is off; in the caller's transaction.
    The registered get the .ics with STATUS:CANCELLED: it takes the entry off their calendar."""
    event.revision = (event.revision or 0) + 1
    registered, waiting = await audience(repo, event.id)
    notice = fill(t.EVENT_CANCELLED_NOTICE, title=event.title, when=schedule(event, settings))
    ids = await queue_with_ics(repo, settings, author_id, now, event, registered, notice)
    others = [uid for uid in waiting if uid not in registered]
    return ids + await queue_notices(repo, author_id, now, [(others, notice)])
