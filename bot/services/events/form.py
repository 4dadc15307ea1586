"""Reading each answer of the staff event dialogs (new event, edit) into a value to store.

One function per field, shared by both dialogs; each raises FormError with the message to show
and a second try follows. The rules are the bulk import's (bot.services.events.import_rows
checks the same lengths, ranges and the link of an online event), so a file and the chat accept
the same events. Dates are read by bot.core.dates. Values kept between steps are JSON-friendly,
because the dialog state lives in the database as JSON and survives a restart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core import dates
from bot.core.markup import fill, visible_len
from bot.services.events.cards import CARD_LIMIT, card
from bot.services.events.import_rows import LIMITS, MAX_CAPACITY
from bot.services.events.import_rows import RowCheck as ImportCheck
from bot.texts import events_admin as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import Event, EventFormat, EventKind, EventSession, EventStatus

T = TypeVar("T")
MAX_SESSIONS = 50
MAX_DURATION = 1440  # minutes, as in the bulk import
TITLE_LIMIT = LIMITS["title"]
DESCRIPTION_LIMIT = LIMITS["description"]
STEPS = (
    "title", "kind", "starts", "sessions", "duration", "format", "place", "capacity",
    "deadline", "description",
)  # fmt: skip
SKIP_WORDS = frozenset({"пропустить", "-", "—", "нет", "без описания"})
NO_DEADLINE_WORDS = frozenset({"без срока", "нет", "-", "—"})
ONE_SESSION_WORDS = frozenset({"одно", "одно занятие", "нет", "-", "—"})


class FormError(ValueError):
    """A wrong answer; `str(error)` is the Telegram-HTML message asking again."""


class FewerMeetings(FormError):
    """New dates that leave a workshop fewer meetings: often one moved meeting typed alone.
    The bot's edit dialog keeps the answer and takes it when it comes a second time."""


@dataclass(frozen=True)
class FormContext:
    """What a field's check depends on besides the typed text."""

    tz: ZoneInfo
    now: datetime
    fmt: str = EventFormat.OFFLINE
    start: datetime | None = None  # first session, UTC: the deadline must not be later
    taken: int = 0  # seats already taken: capacity may not go below
    # the starts of begun meetings with presence marks; None: not known, every begun one counts
    marked: frozenset[datetime] | None = None
    # the bot's edit dialog: new dates dropping meetings pass only when equal to this (the
    # same answer sent again after FewerMeetings); None: not asked (panel and import forms)
    confirmed: str | None = None


def _import_rule(
    key: str, raw: str, ctx: FormContext, run: Callable[[ImportCheck], T], message: str
) -> T:
    """Apply the bulk import's rule for `key` to `raw`; FormError(message) if it objects."""
    check = ImportCheck({key: raw}, ctx.tz, ctx.now)
    value = run(check)
    if check.problems:
        raise FormError(message)
    return value


def _limited(text: str, key: str, template: str) -> str:
    value = text.strip()
    if len(value) > LIMITS[key]:
        raise FormError(fill(template, limit=LIMITS[key], length=len(value)))
    return value


def title(text: str, ctx: FormContext) -> str:
    """One line: a title pasted from a document with its line breaks would break the list's
    «дата · вид / название · места» lines, the notices' «…» and the calendar's subject."""
    value = _limited(" ".join(text.split()), "title", t.TITLE_BAD)
    if value.startswith("/"):
        raise FormError(t.TITLE_COMMAND)
    message = fill(t.TITLE_BAD, limit=TITLE_LIMIT, length=len(value))
    return _import_rule("title", value, ctx, lambda c: c.text("title", required=True), message)


def _choice(text: str, labels: Mapping[str, str], message: str) -> str:
    raw = text.strip()
    by_label = {label.lower(): value for value, label in labels.items()}
    value = raw if raw in labels else by_label.get(raw.lower())
    if value is None:
        raise FormError(message)
    return value


def kind(text: str) -> str:
    return _choice(text, KIND_LABELS, t.KIND_BAD)


def event_format(text: str) -> str:
    return _choice(text, FORMAT_LABELS, t.FORMAT_BAD)


def start(text: str, ctx: FormContext) -> datetime:
    try:
        moment = dates.parse_local_datetime(text, ctx.tz, ctx.now)
        return dates.ensure_future(moment, ctx.tz, ctx.now)
    except dates.DateParseError as exc:
        raise FormError(str(exc)) from exc


def _moments(text: str, ctx: FormContext, held: Sequence[datetime] = ()) -> list[datetime]:
    """The typed meetings, each ahead of `ctx.now`, but for as many as `held` meetings (already
    begun) that may be retyped, or corrected to the time they really met."""
    parts = dates.split_moments(text)
    if not parts:
        raise FormError(t.DATE_UNREADABLE)
    if len(parts) > MAX_SESSIONS:
        raise FormError(fill(t.SESSIONS_TOO_MANY, limit=MAX_SESSIONS))
    found: list[datetime] = []
    for part in parts:
        moment = start(part, ctx) if not held else _moment(part, ctx)
        if moment in found:
            raise FormError(fill(t.SESSION_TWICE, moment=dates.format_local(moment, ctx.tz)))
        found.append(moment)
    past = [m for m in found if m <= ctx.now]
    if len(past) > len(held):  # more meetings in the past than took place: a slip
        slip = next(m for m in past if m not in held)
        raise FormError(fill(t.DATE_PAST, moment=dates.format_local(slip, ctx.tz)))
    return sorted(found)


def _moment(text: str, ctx: FormContext) -> datetime:
    try:
        return dates.parse_local_datetime(text, ctx.tz, ctx.now)
    except dates.DateParseError as exc:
        raise FormError(str(exc)) from exc


def later_sessions(text: str, ctx: FormContext) -> list[datetime]:
    """A workshop's meetings after the first (`ctx.start`), comma- or line-separated;
    «одно занятие» means none."""
    assert ctx.start is not None
    if text.strip().lower() in ONE_SESSION_WORDS:
        return []
    found = _moments(text, ctx)
    for moment in found:
        if moment <= ctx.start:
            template = t.SESSION_TWICE if moment == ctx.start else t.SESSION_BEFORE_FIRST
            raise FormError(
                fill(
                    template,
                    moment=dates.format_local(moment, ctx.tz),
                    first=dates.format_local(ctx.start, ctx.tz),
                )
            )
    return found


def all_sessions(
    text: str, ctx: FormContext, held: Sequence[datetime] = (), movable: int = 0, total: int = 0
) -> list[datetime]:
    """Every meeting of an event anew (editing the date): future moments, and the meetings
    already `held` as they were or corrected (one past moment for each, no more). A held
    meeting left out of the list is refused: dropping it would delete its presence marks;
    but up to `movable` of them (begun, nobody marked present: it did not take place) may
    move ahead, as long as the event keeps its `total` meetings (moved, not dropped)."""
    found = _moments(text, ctx, held)
    past = [m for m in found if m <= ctx.now]
    short = len(held) - len(past)
    if short > 0 and (short > movable or len(found) < total):
        missing = [m for m in held if m not in found]  # as held; a corrected one among them
        named = "; ".join(dates.format_local(m, ctx.tz) for m in missing)
        raise FormError(fill(t.HELD_LEFT_OUT, moments=named))
    return found


def _minutes(check: ImportCheck) -> int:
    return check.integer("duration_min", 1, MAX_DURATION)


_HOURS_MINUTES = re.compile(
    r"(?P<h>\d{1,2})\s*(?:ч[а-я]*\.?\s*|:)(?P<m>\d{1,2})(?:\s*(?:мин[а-я]*|м)\.?)?"
)  # «1 ч 30 мин», «1 час 30 минут», «1:30»
# «20 мест», «25 человек», «30 участников»: the unit a methodist adds to the number of seats
_SEATS_WORD = re.compile(r"\s*(?:мест[а-я]*|человек[а-я]*|чел\.?|участник[а-я]*)$")


def duration(text: str, ctx: FormContext) -> int:
    """Minutes: «90», «90 мин», «1,5 ч», «1 ч 30 мин», «1:30»."""
    raw = text.strip().lower()
    hours = re.fullmatch(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*ч[а-я]*\.?", raw)  # not «1ч30»
    both = _HOURS_MINUTES.fullmatch(raw)
    if hours is not None:
        raw = str(round(float(hours[1].replace(",", ".")) * 60))
    elif both is not None and int(both["m"]) < 60:
        raw = str(int(both["h"]) * 60 + int(both["m"]))
    raw = re.sub(r"\s*(мин\w*|м)\.?$", "", raw)
    return _import_rule("duration_min", raw, ctx, _minutes, t.DURATION_BAD)


def place(text: str, ctx: FormContext) -> str:
    """An address; for an online event, a text with an http(s) link."""
    value = _limited(text, "place", t.PLACE_TOO_LONG)
    message = t.PLACE_NO_LINK if ctx.fmt == EventFormat.ONLINE else t.PLACE_EMPTY
    return _import_rule("place", value, ctx, lambda check: check.place(ctx.fmt), message)


def _seats(check: ImportCheck) -> int:
    return check.integer("capacity", 1, MAX_CAPACITY)


def _capacity_problem(raw: str) -> str:
    if not re.fullmatch(r"-?\d{1,12}", raw):
        return t.CAPACITY_NOT_NUMBER
    if int(raw) < 1:
        return t.CAPACITY_NOT_POSITIVE
    return fill(t.CAPACITY_TOO_BIG, limit=MAX_CAPACITY)


def capacity(text: str, ctx: FormContext) -> int:
    """A whole number of seats above zero, and not below the seats already taken; «20 мест»,
    «25 человек» are read as the number."""
    raw = _SEATS_WORD.sub("", text.strip().lower()).replace("−", "-")
    value = _import_rule("capacity", raw, ctx, _seats, _capacity_problem(raw))
    if value < ctx.taken:
        raise FormError(fill(t.CAPACITY_BELOW_TAKEN, taken=ctx.taken))
    return value


def deadline(text: str, ctx: FormContext) -> datetime | None:
    """The end of registration: not in the past, not after the start; «без срока» is None."""
    if text.strip().lower() in NO_DEADLINE_WORDS:
        return None
    moment = start(text, ctx)
    if ctx.start is not None and moment > ctx.start:
        when = dates.format_local(ctx.start, ctx.tz)
        raise FormError(fill(t.DEADLINE_AFTER_START, start=when))
    return moment


def description(text: str, ctx: FormContext) -> str:
    if text.strip().lower() in SKIP_WORDS:
        return ""
    value = _limited(text, "description", t.DESCRIPTION_TOO_LONG)
    message = fill(t.DESCRIPTION_TOO_LONG, limit=DESCRIPTION_LIMIT, length=len(value))
    return _import_rule("description", value, ctx, lambda c: c.text("description"), message)


# --- the draft kept in FSM data ---------------------------------------------------------------


def dump(moment: datetime) -> str:
    return moment.isoformat()


def load(value: str) -> datetime:
    return datetime.fromisoformat(value)


def next_step(data: Mapping[str, Any]) -> str | None:
    """The first field not answered yet (sessions only for a workshop); None: ready."""
    for step in STEPS:
        if step == "sessions" and data.get("kind") != EventKind.WORKSHOP:
            continue
        if step not in data:
            return step
    return None


def draft_starts(data: Mapping[str, Any]) -> list[datetime]:
    first = load(data["starts"])
    return [first, *(load(s) for s in data.get("sessions", []))]


def draft_event(data: Mapping[str, Any], created_by: int | None) -> tuple[Event, list[datetime]]:
    """A transient Event (with its sessions, for the preview card) and every session start."""
    starts = draft_starts(data)
    deadline_raw = data.get("deadline")
    event = Event(
        title=data["title"], kind=data["kind"], starts_at=starts[0],
        duration_min=data["duration"], format=data["format"], place=data["place"],
        capacity=data["capacity"], taken=0, description=data.get("description", ""),
        registration_deadline=load(deadline_raw) if deadline_raw else None,
        status=EventStatus.PUBLISHED, created_by=created_by, organiser="", speaker="",
        audience="",
    )  # fmt: skip
    event.sessions = [EventSession(starts_at=s, duration_min=event.duration_min) for s in starts]
    return event, starts


def stale_parts(data: Mapping[str, Any], now: datetime) -> list[str]:
    """Answers that time has overtaken while the dialog was open: they are asked again."""
    moments: Sequence[datetime] = draft_starts(data)
    if min(moments) > now:
        deadline_raw = data.get("deadline")
        return ["deadline"] if deadline_raw and load(deadline_raw) <= now else []
    return ["starts", "sessions", "deadline"]


def check_card_length(event: Event, tz: ZoneInfo) -> None:
    """FormError when the teachers' card of `event` would not fit in one Telegram message."""
    length = visible_len(card(event, tz, show_link=True))
    if length > CARD_LIMIT:
        raise FormError(fill(t.CARD_TOO_LONG, length=length, limit=CARD_LIMIT))
