"""How an event reads in a message: local dates in Russian and the event card.

Pure functions of the event and the МОЦ's time zone, so cards look the same in the list, the
confirmation, reminders and the admin preview. Every user-supplied value is escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.dates import MONTHS_GENITIVE
from bot.core.markup import MESSAGE_LIMIT, clip, fill, q, visible_len
from bot.services.events.rules import open_for_signup, under_way
from bot.texts import events as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import (
    Event,
    EventFormat,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
)

# the longest card a form or an import accepts: room for a reader's status line, the preview's
# frame and emoji counted twice (`card` shortens a longer description stored before)
CARD_LIMIT = MESSAGE_LIMIT - 200


@dataclass(frozen=True)
class Turnout:
    """For staff, once an event is over: how many came of those who held a seat."""

    attended: int
    registered: int  # seats held at the end, attended ones included


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def day_text(moment: datetime, tz: ZoneInfo) -> str:
    """«пт, 12 декабря 2026»."""
    d = local(moment, tz)
    return f"{t.WEEKDAYS[d.weekday()]}, {d.day} {MONTHS_GENITIVE[d.month - 1]} {d.year}"


def when_text(starts_at: datetime, duration_min: int, tz: ZoneInfo) -> str:
    """«пт, 12 декабря 2026, 15:00–16:30»."""
    start = local(starts_at, tz)
    end = local(starts_at + timedelta(minutes=duration_min), tz)
    return f"{day_text(starts_at, tz)}, {start:%H:%M}–{end:%H:%M}"


def schedule_text(event: Event, tz: ZoneInfo, since: datetime | None = None) -> str:
    """Every meeting of the event, «; »-separated: a workshop's confirmation and notices name
    them all, not only the first as if it were one seminar; given `since`, a series under way
    names only the meetings not over (a seat got amid it is for those)."""
    sessions = event.sessions or [EventSession(starts_at=event.starts_at)]
    if since is not None and since >= event.starts_at:
        sessions = [s for s in sessions if not_over(s, since)] or sessions
    return "; ".join(when_text(s.starts_at, event.duration_min, tz) for s in sessions)


def short_when(starts_at: datetime, tz: ZoneInfo, this_year: int | None = None) -> str:
    """«12.12 15:00» for lists; «12.12.2027 15:00» when the event is not in `this_year`
    (the МОЦ's current year), so 08.12.2026 and 08.12.2027 never look alike."""
    moment = local(starts_at, tz)
    if this_year is not None and moment.year != this_year:
        return f"{moment:%d.%m.%Y %H:%M}"
    return f"{moment:%d.%m %H:%M}"


def ends_at(event: Event) -> datetime:
    """When the last session is over (the event itself when it has no sessions)."""
    ends = [s.starts_at + timedelta(minutes=s.duration_min) for s in event.sessions]
    return max(ends, default=event.starts_at + timedelta(minutes=event.duration_min))


def not_over(meeting: EventSession, now: datetime) -> bool:
    """A meeting is the teacher's to see until it ends: under way or ahead. Every list, the
    typed day, the months offered and «Мои записи» show a workshop by this one rule
    (`EventRepo.upcoming` asks the database the same)."""
    return meeting.starts_at + timedelta(minutes=meeting.duration_min) > now


def next_meeting(
    event: Event, now: datetime, span: tuple[datetime, datetime] | None = None
) -> datetime:
    """The meeting a list shows: the one under way or the next ahead (within `span`, a day or
    a month asked for, if given), so a workshop whose first meeting is held is not listed
    under that past day; the first once all are over."""
    ahead = [
        s.starts_at
        for s in event.sessions
        if not_over(s, now) and (span is None or span[0] <= s.starts_at < span[1])
    ]
    return min(ahead, default=event.starts_at)


def meeting_note(event: Event, at: datetime) -> str:
    """« · занятие 2 из 3» beside the meeting `at` of a workshop; nothing for one meeting."""
    starts = sorted(s.starts_at for s in event.sessions)
    if len(starts) < 2 or at not in starts:
        return ""
    return t.MEETING_OF.format(number=starts.index(at) + 1, total=len(starts))


def hours_text(minutes: int) -> str:
    """Hours the Russian way: «1,5», «2», «1,7» (one decimal, a comma)."""
    return f"{round(minutes / 60, 1):g}".replace(".", ",")


def duration_text(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} ч {mins} мин"
    return f"{hours} ч" if hours else f"{mins} мин"


def seats_text(event: Event, can_wait: bool = True) -> str:
    """`can_wait`: the reader may still join the waiting list (not already in, not closed)."""
    if event.seats_left > 0:
        return t.SEATS_LEFT.format(left=event.seats_left, capacity=event.capacity)
    return t.SEATS_NONE if can_wait else t.SEATS_FULL


def place_text(event: Event, show_link: bool) -> str:
    if event.format == EventFormat.ONLINE:
        return fill(t.PLACE_ONLINE, place=event.place) if show_link else t.PLACE_ONLINE_HIDDEN
    return fill(t.PLACE_OFFLINE, place=event.place or "уточняется")


def _extra(event: Event, tz: ZoneInfo, description: str) -> str:
    parts = []
    if len(event.sessions) > 1:
        lines = "\n".join(
            f"{i}. {when_text(s.starts_at, s.duration_min, tz)}"
            for i, s in enumerate(event.sessions, start=1)
        )
        parts.append(t.SESSIONS.format(lines=lines))
    for template, value in (
        (t.ORGANISER, event.organiser),
        (t.SPEAKER, event.speaker),
        (t.AUDIENCE, event.audience),
    ):
        if value:
            parts.append(fill(template, value=value))
    if description:
        parts.append(fill(t.DESCRIPTION, value=description))
    return "".join(parts)


def _status(
    event: Event, registration: Registration | None, waiting_position: int, now: datetime | None
) -> str:
    """Once the event has taken place a seat is history, a turn in the queue is gone; while
    it goes on (a workshop's first meeting held) nobody may sign up, and the card says so."""
    over = now is not None and ends_at(event) <= now
    if event.status == EventStatus.CANCELLED:
        return t.EVENT_CANCELLED
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        status = RegistrationStatus(registration.status)
        if over and status == RegistrationStatus.WAITING:
            return ""
        seated = t.STATUS_WAS_REGISTERED if over else t.STATUS_REGISTERED
        label = {
            RegistrationStatus.REGISTERED: seated,
            RegistrationStatus.ATTENDED: t.STATUS_ATTENDED,
        }.get(status)
        label = label or t.STATUS_WAITING.format(position=waiting_position)
        return t.YOUR_STATUS.format(status=label)
    if event.status == EventStatus.CLOSED and not over:
        return t.EVENT_CLOSED
    return t.EVENT_UNDER_WAY if now is not None and under_way(event, now) else ""


def _can_wait(event: Event, registration: Registration | None, now: datetime | None) -> bool:
    """«можно встать в лист ожидания» is an offer: not to who is in, not when nobody can join
    (closed, called off, or — given `now` — past its deadline: the card has no button then)."""
    holds = registration is not None and registration.status != RegistrationStatus.CANCELLED
    if now is not None:
        return not holds and open_for_signup(event, now)
    return event.status == EventStatus.PUBLISHED and not holds


def _seats(
    event: Event, registration: Registration | None, now: datetime | None, queue: int | None
) -> str:
    if queue is None:
        return seats_text(event, _can_wait(event, registration, now))
    shown = seats_text(event, can_wait=False)  # staff do not queue: they count the queue
    return shown + t.STAFF_QUEUE.format(count=queue) if queue else shown


def _deadline_line(event: Event, tz: ZoneInfo, now: datetime | None) -> str:
    """«Запись до …», or «Запись закончилась …» once it has: a date gone by under «до» reads
    as if one could still sign up."""
    if event.registration_deadline is None:
        return ""
    moment = event.registration_deadline
    passed = now is not None and now > moment
    template = t.DEADLINE_PASSED if passed else t.DEADLINE
    return template.format(when=f"{day_text(moment, tz)}, {local(moment, tz):%H:%M}")


def card(
    event: Event,
    tz: ZoneInfo,
    registration: Registration | None = None,
    waiting_position: int = 0,
    show_link: bool = False,
    *,
    now: datetime | None = None,
    turnout: Turnout | None = None,
    queue: int | None = None,
) -> str:
    """The card; given `now`, one of an event that has taken place says so instead of seats,
    the deadline and the waiting list (a cancelled one keeps only «отменено»); staff pass its
    `turnout`, which the line then gives instead of seats, and the `queue` (how many wait),
    which the seats line gives instead of the teachers' offer to join it."""
    over = now is not None and ends_at(event) <= now
    deadline = _deadline_line(event, tz, now) if not over else ""
    if not over:
        seats = t.SEATS_LINE.format(seats=_seats(event, registration, now, queue))
    else:
        seats = _past_line(turnout) if event.status != EventStatus.CANCELLED else ""

    def text(description: str) -> str:
        return t.CARD.format(
            title=q(event.title),
            kind=KIND_LABELS.get(event.kind, q(event.kind)),
            format=FORMAT_LABELS.get(event.format, q(event.format)),
            when=when_text(event.starts_at, event.duration_min, tz),
            duration=duration_text(event.duration_min),
            place_line=place_text(event, show_link),
            extra=_extra(event, tz, description),
            seats=seats,
            deadline=deadline,
            status=_status(event, registration, waiting_position, now),
        )

    # a long description beside many meetings (both allowed by the form) is shortened so the
    # card stays one message: over 4096 Telegram refuses it, and a card is edited in place
    full = text(event.description)
    excess = visible_len(full) - MESSAGE_LIMIT
    if excess <= 0 or not event.description:
        return full
    return text(clip(event.description, max(len(event.description) - excess, 1)))


def _past_line(turnout: Turnout | None) -> str:
    if turnout is None:
        return t.PAST_LINE
    if not turnout.registered:
        return t.STAFF_PAST_NOBODY
    return t.STAFF_PAST_LINE.format(attended=turnout.attended, registered=turnout.registered)


def list_line(
    event: Event, tz: ZoneInfo, this_year: int | None = None, now: datetime | None = None,
    at: datetime | None = None, queue: int | None = None,
) -> str:  # fmt: skip
    """Given `now`, a full event past its deadline is «мест нет», not an offer to queue;
    `at`: the meeting to show (a workshop's in the day or month asked, or its next one),
    else the first; a workshop's line says which of its meetings that is; `queue` (staff):
    how many wait, as on the staff card, instead of the teachers' offer to queue."""
    when = at or event.starts_at
    seats = seats_text(event, now is None or open_for_signup(event, now))
    return t.LIST_LINE.format(
        when=short_when(when, tz, this_year),
        kind=KIND_LABELS.get(event.kind, q(event.kind)),
        meeting=meeting_note(event, when),
        title=q(event.title),
        seats=seats if queue is None else _seats(event, None, now, queue),
    )
