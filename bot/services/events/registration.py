"""Registration as a service: taking a seat and telling the teacher, with the .ics file.

Both the event card and the end of the profile dialog register a teacher, so the work and
the messages live here once. A menu that goes with the confirmation (a newcomer just became
a teacher) is the adapter's: it sends `Confirmation.text` itself with it (see `welcomes`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.core.config import Settings
from bot.core.filenames import latin_slug
from bot.core.markup import fill, q
from bot.core.messages import Deferred, Messenger, OutFile, Unreachable
from bot.services.events import cards as events_view
from bot.services.events.clashes import clash_note
from bot.services.events.ics import event_ics
from bot.services.events.reminders import QuietHours, leads_ahead, leads_phrase
from bot.services.events.rules import cancel_refusal, passes_on_seat, signup_refusal, under_way
from bot.texts import events as t
from storage.models import Event, Registration, RegistrationStatus, Role, User
from storage.repositories import Repositories
from storage.repositories.events import CancelResult, SeatResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Confirmation:
    """What registering says: a message and, for a seat, the event's .ics."""

    result: SeatResult | None  # None: a double tap lost the race to insert
    text: str
    ics: OutFile | None = None
    caption: str = ""

    @property
    def welcomes(self) -> bool:
        """A seat or a place in the queue: the message a new menu goes with."""
        return self.result is not None and self.result.outcome in ("registered", "waiting")


def ics_file(
    event: Event, settings: Settings, dropped: Sequence[tuple[datetime, int]] = ()
) -> OutFile:
    """The event's calendar file; `dropped`: meetings a change took away (told as cancelled)."""
    data = event_ics(
        event, event.sessions, tz_name=settings.timezone, url=None, show_place=True,
        dropped=dropped,
    )  # fmt: skip
    return OutFile(ics_name(event, settings), data)


def ics_name(event: Event, settings: Settings) -> str:
    """What the teacher's phone shows under the file: the title and the (first) meeting's day,
    «seminar-igrovye-tekhnologii-15.12.2026.ics», not «event-12.ics»."""
    day = f"{event.starts_at.astimezone(settings.tz):%d.%m.%Y}"
    return t.FILE_ICS.format(title=latin_slug(event.title) or t.FILE_ICS_UNTITLED, day=day)


async def send_ics(messenger: Messenger, chat_id: int, event: Event, settings: Settings) -> None:
    await messenger.send_file(chat_id, ics_file(event, settings), caption=q(event.title)[:1000])


async def become_teacher(repo: Repositories, user: User) -> bool:
    """Registering for an event makes a newcomer (or a parent) a teacher, so the menu gets
    «Мои записи»: people who follow a broadcast's «Записаться» link never saw «Кто вы?».
    Not committed: the caller commits it with the seat or the profile."""
    if user.role not in (None, Role.PARENT):
        return False
    await repo.users.set_role(user.id, Role.TEACHER)
    user.role = Role.TEACHER
    return True


async def take_seat(
    repo: Repositories, user_id: int, event: Event, settings: Settings, now: datetime
) -> Confirmation:
    """Take a seat (or a place in the queue), committed, and say what happened (`now`: which
    reminders are still ahead). A double tap that races to insert twice is «already»."""
    try:
        result = await repo.events.register(event.id, user_id)
        await repo.commit()
    except IntegrityError:
        await repo.rollback()
        return Confirmation(None, t.ALREADY)
    reg = result.registration
    clash = ""  # another seat at that hour: said with the confirmation
    if result.outcome in ("registered", "waiting"):
        clash = clash_note(event, await repo.events.for_user(user_id, now), now, settings.tz)
    if result.outcome == "registered":
        text = confirmation(t.REGISTERED, event, settings, now) + clash
        return Confirmation(result, text, ics_file(event, settings), q(event.title)[:1000])
    if result.outcome == "waiting":
        position = await repo.events.waiting_position(reg)
        text = fill(t.WAITING, title=event.title, position=position) + clash
        return Confirmation(result, text)
    if result.outcome == "already":
        waiting = reg.status == RegistrationStatus.WAITING
        return Confirmation(result, t.ALREADY_WAITING if waiting else t.ALREADY)
    return Confirmation(result, t.REG_CLOSED)


async def send_confirmation(
    messenger: Messenger, user_id: int, done: Confirmation, *, text: bool = True
) -> None:
    """The message, then the .ics (`text=False`: the adapter sent the message with a menu)."""
    if text:
        await messenger.send(user_id, done.text)
    if done.ics is not None:
        await messenger.send_file(user_id, done.ics, caption=done.caption)


async def register_and_confirm(
    messenger: Messenger,
    user_id: int,
    event: Event,
    repo: Repositories,
    settings: Settings,
    now: datetime,
) -> SeatResult | None:
    """Take a seat and tell the teacher, after the profile dialog. The rule is asked again:
    the deadline may have passed or the event begun while the teacher was answering."""
    refusal = signup_refusal(event, now, settings.tz)
    if refusal is not None:
        await messenger.send(user_id, q(refusal))
        return None
    done = await take_seat(repo, user_id, event, settings, now)
    await send_confirmation(messenger, user_id, done)
    return done.result


def confirmation(
    template: str, event: Event, settings: Settings, now: datetime | None = None
) -> str:
    return template.format(
        title=q(event.title),
        when=events_view.schedule_text(event, settings.tz, now),  # a workshop: every meeting
        place=events_view.place_text(event, show_link=True),
        reminders=reminders_promise(event, settings, now),
        soon=starts_soon(event, now),
    )


def starts_soon(event: Event, now: datetime | None) -> str:
    """«⏰ Начало через 3 ч 20 мин.» for a seat got less than a day before the start (from the
    waiting list): the date alone does not say how little time is left to get ready."""
    if now is None or not now < event.starts_at < now + timedelta(days=1):
        return ""
    minutes = int((event.starts_at - now).total_seconds() // 60)
    return t.STARTS_SOON.format(left=events_view.duration_text(max(minutes, 1)))


def reminders_promise(event: Event, settings: Settings, now: datetime | None) -> str:
    """«Напомню за сутки и за час. » — the reminders the МОЦ set (REMINDER_LEADS_MIN) that the
    last meeting will still get `now` (a seminar in five hours gets no day-ahead one, nor
    one at 23:00 for 15:00 tomorrow: held for the night, it would be stale by the morning)."""
    leads = settings.reminder_leads_min
    if now is not None:
        last = max((s.starts_at for s in event.sessions), default=event.starts_at)
        quiet = QuietHours(settings.reminder_quiet_from, settings.reminder_quiet_until)
        leads = tuple(leads_ahead(leads, last, now, quiet, settings.tz))
    return t.REMINDERS_PROMISE.format(leads=leads_phrase(leads)) if leads else ""


def cancel_question(event: Event, registration: Registration | None) -> tuple[str, str]:
    """What «Отменить запись» asks, and its «yes»: a place in the waiting list is left, not
    cancelled (the card's button says «Выйти из листа ожидания»)."""
    if registration is not None and registration.status == RegistrationStatus.WAITING:
        return fill(t.LEAVE_CONFIRM, title=event.title), t.BTN_LEAVE_YES
    return fill(t.CANCEL_CONFIRM, title=event.title), t.BTN_CANCEL_YES


def cancelled_text(event: Event, result: CancelResult) -> str:
    """What the teacher is told once it is done."""
    if result.left_queue:
        return fill(t.LEFT_WAITLIST, title=event.title)
    return fill(t.CANCELLED_LATE if result.late else t.CANCELLED, title=event.title)


async def cancel_one(
    repo: Repositories, registration: Registration, event: Event, now: datetime
) -> CancelResult:
    """Cancel a seat or a place in the queue, not committed; the seat goes to the first in
    the waiting list only while there is time to come (`passes_on_seat`)."""
    return await repo.events.cancel(registration, now, promote=passes_on_seat(event, now))


async def fill_seats(repo: Repositories, event: Event, now: datetime) -> list[Registration]:
    """More seats: the waiting list moves up at once, committed by the caller — by the same
    rule as a cancellation (nobody in the last hours before the start)."""
    if not passes_on_seat(event, now):
        return []
    return await repo.events.fill_from_waiting(event.id, now)


@dataclass(frozen=True)
class Cancelled:
    """A registration the person gave up, and who got the seat (None: nobody was waiting)."""

    event: Event
    promoted: Registration | None


async def cancel_all(
    repo: Repositories, user_id: int, now: datetime, *, started: bool
) -> list[Cancelled]:
    """Cancel the person's registrations as «Отменить запись» does, each seat to the first in
    the waiting list; `started=False` keeps those a teacher may no longer cancel themselves
    (`cancel_refusal`: the event begun or called off), `started=True` cancels those of events
    under way too (/forget_me: the person leaves a series). Those of events held are never
    cancelled: they are the МОЦ's report. Not committed; the caller tells the promoted with
    `notify_promoted` once it has."""
    done: list[Cancelled] = []
    for registration in await repo.events.for_user(user_id, now):
        event = registration.event
        if not started and cancel_refusal(event, now) is not None:
            continue
        if event.starts_at <= now and not under_way(event, now):
            continue  # held: a no-show stays a no-show, not a late cancellation
        if registration.status == RegistrationStatus.ATTENDED:  # came: the seat is history
            if any(s.starts_at > now for s in event.sessions):  # but a series has meetings ahead
                passed = await repo.events.leave(registration, now, passes_on_seat(event, now))
                done.append(Cancelled(event, passed))
            continue
        result = await cancel_one(repo, registration, event, now)
        if result.cancelled:
            done.append(Cancelled(registration.event, result.promoted))
    return done


async def ahead(repo: Repositories, user_id: int, now: datetime) -> list[Event]:
    """The events `cancel_all(started=False)` would cancel a seat or a place in the queue of."""
    return [
        r.event
        for r in await repo.events.for_user(user_id, now)
        if r.status != RegistrationStatus.ATTENDED and cancel_refusal(r.event, now) is None
    ]


async def notify_promoted(
    messenger: Messenger,
    promoted: Registration,
    event: Event,
    settings: Settings,
    now: datetime,
) -> None:
    if promoted.user_id is None:  # promoted from the waiting list: always a person
        return
    try:
        template = t.PROMOTED_UNDER_WAY if now >= event.starts_at else t.PROMOTED
        text = confirmation(template, event, settings, now)
        await messenger.send(promoted.user_id, text)
        await send_ics(messenger, promoted.user_id, event, settings)
    except (Unreachable, Deferred) as exc:
        log.warning("promoted user %s not notified: %s", promoted.user_id, exc)
