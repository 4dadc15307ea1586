"""An event's form as a whole, every field at once (the web panel): the same checks as the
bot's one-question-a-time dialog (bot.services.events.form) and the same field setters as its
edit (bot.services.events.setters), with the problems collected per field.

Messages of FormError are Telegram HTML; `plain` turns them into text for a page (which
escapes it again). An edit is tried on a scratch copy first, so a wrong form changes nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core.dates import format_local
from bot.services.events import form
from bot.services.events.changes import NOTIFIED_FIELDS
from bot.services.events.setters import SETTERS
from bot.texts import web_events as t
from storage.models import Event, EventKind, EventSession

T = TypeVar("T")
FIELDS = (
    "title", "kind", "starts", "duration", "format", "place", "capacity", "deadline",
    "description",
)  # fmt: skip
EDITABLE = ("title", "starts", "duration", "place", "capacity", "deadline", "description")


def plain(message: str) -> str:
    """A Telegram-HTML message as plain text."""
    return html.unescape(re.sub(r"<[^>]*>", "", message))


def text_of(values: Mapping[str, str], name: str) -> str:
    return values.get(name, "").replace("\r\n", "\n").strip()


@dataclass
class Problems:
    """Field → what is wrong with it (plain text)."""

    by_field: dict[str, str] = field(default_factory=dict)

    def take(self, name: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except form.FormError as exc:
            self.by_field.setdefault(name, plain(str(exc)))
            return None


def texts_of(event: Event, tz: ZoneInfo) -> dict[str, str]:
    """The event's fields as the form shows them (and as its checks read them back)."""
    starts = [s.starts_at for s in event.sessions] or [event.starts_at]
    deadline = event.registration_deadline
    return {
        "title": event.title, "kind": event.kind, "format": event.format,
        "starts": ", ".join(format_local(s, tz) for s in sorted(starts)),
        "duration": str(event.duration_min), "place": event.place,
        "capacity": str(event.capacity), "description": event.description,
        "deadline": format_local(deadline, tz) if deadline else "",
    }  # fmt: skip


def _starts(raw: str, kind: str | None, ctx: form.FormContext) -> list[datetime]:
    moments = form.all_sessions(raw, ctx)
    if len(moments) > 1 and kind != EventKind.WORKSHOP:
        raise form.FormError(t.ONE_DATE_ONLY)
    return moments


def _choice(parse: Callable[[str], str], raw: str, message: str) -> str:
    try:
        return parse(raw)
    except form.FormError:
        raise form.FormError(message) from None


def new_event(
    values: Mapping[str, str], tz: ZoneInfo, now: datetime, created_by: int | None
) -> tuple[Event | None, list[datetime], dict[str, str]]:
    """A transient published Event and its session starts, or the problems per field."""
    got, ctx = Problems(), form.FormContext(tz, now)
    raw = {name: text_of(values, name) for name in FIELDS}
    title = got.take("title", lambda: form.title(raw["title"], ctx))
    kind = got.take("kind", lambda: _choice(form.kind, raw["kind"], t.KIND_BAD))
    fmt = got.take("format", lambda: _choice(form.event_format, raw["format"], t.FORMAT_BAD))
    starts = got.take("starts", lambda: _starts(raw["starts"], kind, ctx))
    duration = got.take("duration", lambda: form.duration(raw["duration"], ctx))
    at = replace(ctx, fmt=fmt or "offline", start=starts[0] if starts else None)
    place = got.take("place", lambda: form.place(raw["place"], at))
    capacity = got.take("capacity", lambda: form.capacity(raw["capacity"], ctx))
    deadline = got.take("deadline", lambda: form.deadline(raw["deadline"] or "без срока", at))
    description = got.take("description", lambda: form.description(raw["description"], ctx))
    if got.by_field or not starts:
        return None, [], got.by_field
    data: dict[str, Any] = {
        "title": title, "kind": kind, "starts": form.dump(starts[0]),
        "sessions": [form.dump(s) for s in starts[1:]], "duration": duration, "format": fmt,
        "place": place, "capacity": capacity, "description": description or "",
        "deadline": form.dump(deadline) if deadline else None,
    }  # fmt: skip
    event, starts = form.draft_event(data, created_by)  # what the bot's «Опубликовать» makes
    got.take("description", lambda: form.check_card_length(event, tz))
    return (None, [], got.by_field) if got.by_field else (event, starts, {})


def changed_fields(event: Event, values: Mapping[str, str], tz: ZoneInfo) -> list[str]:
    now_shown = texts_of(event, tz)
    return [name for name in EDITABLE if text_of(values, name) != now_shown[name].strip()]


def _setter(event: Event, name: str, raw: str, ctx: form.FormContext) -> Callable[[], bool]:
    return lambda: SETTERS[name](event, raw, ctx)


def _apply(event: Event, values: Mapping[str, str], fields: list[str], now: datetime,
           tz: ZoneInfo, marked: frozenset[datetime] | None,
           ) -> tuple[list[str], dict[str, str]]:  # fmt: skip
    got, notify = Problems(), []
    if "starts" in fields and "deadline" in fields:
        event.registration_deadline = None  # the new deadline is checked against the new start
    for name in sorted(fields, key=EDITABLE.index):
        ctx = form.FormContext(tz, now, event.format, event.starts_at, event.taken, marked)
        raw = text_of(values, name) or ("без срока" if name == "deadline" else "")
        if got.take(name, _setter(event, name, raw, ctx)):
            notify.append(name)
    if not got.by_field:
        got.take("description", lambda: form.check_card_length(event, tz))
    if "starts" in notify:  # its notice already gives the new end: one notice, not two
        notify = [n for n in notify if n != "duration"]
    return [n for n in NOTIFIED_FIELDS if n in notify], got.by_field


def _scratch(event: Event) -> Event:
    copy = Event(**{c: getattr(event, c) for c in (
        "id", "title", "kind", "starts_at", "duration_min", "format", "place", "capacity",
        "taken", "description", "registration_deadline", "status", "organiser", "speaker",
        "audience",
    )})  # fmt: skip
    copy.sessions = [EventSession(starts_at=s.starts_at, duration_min=s.duration_min)
                     for s in event.sessions]  # fmt: skip
    return copy


def edit_event(
    event: Event, values: Mapping[str, str], tz: ZoneInfo, now: datetime,
    marked: frozenset[datetime] | None = None,
) -> tuple[list[str], list[str], dict[str, str]]:  # fmt: skip
    """Apply the changed fields to `event`: (changed, to tell the participants, problems).
    With any problem nothing of `event` is touched. `marked`: the starts of its meetings
    with presence marks (EventRepo.marked_meetings); a begun one without may move ahead."""
    fields = changed_fields(event, values, tz)
    if not fields:
        return [], [], {}
    _, problems = _apply(_scratch(event), values, fields, now, tz, marked)
    if problems:
        return fields, [], problems
    notify, _ = _apply(event, values, fields, now, tz, marked)
    return fields, notify, {}


def trial(
    event: Event, values: Mapping[str, str], tz: ZoneInfo, now: datetime,
    marked: frozenset[datetime] | None = None,
) -> tuple[list[str], list[str], dict[str, str]]:  # fmt: skip
    """What `edit_event` would do, tried on a copy: (changed, to tell, problems); `event` is
    not touched (a re-imported plan is checked row by row before anything is saved)."""
    fields = changed_fields(event, values, tz)
    if not fields:
        return [], [], {}
    notify, problems = _apply(_scratch(event), values, fields, now, tz, marked)
    return fields, ([] if problems else notify), problems


def conflicts(
    event: Event, seen: Mapping[str, str], values: Mapping[str, str], tz: ZoneInfo
) -> tuple[dict[str, str], dict[str, str]]:
    """Another staff member saved the event after this form was opened (`seen`: the fields as
    the form showed them). Returns (what to show: the event now plus this person's own edits,
    a note by each field the other person changed); ({}, {}) when nothing moved. Saving the
    stale form as it is would silently put the old values back."""
    now_shown = texts_of(event, tz)
    theirs = [  # a field already as this form asks (its own first copy, a double click) is no news
        n for n in EDITABLE if text_of(seen, n) != now_shown[n].strip() != text_of(values, n)
    ]
    if not seen or not theirs:
        return {}, {}
    mine = {n: values.get(n, "") for n in EDITABLE if text_of(values, n) != text_of(seen, n)}
    notes = {n: t.CHANGED_MEANWHILE if n not in mine else t.BOTH_CHANGED.format(
        now=now_shown[n]) for n in theirs}  # fmt: skip
    return {**now_shown, **mine}, notes
