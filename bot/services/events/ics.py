"""An .ics file for an event, so a teacher adds every meeting to a phone calendar in one tap.

Written by hand (RFC 5545) rather than with a library: the format is small, and the details
that break real calendars — CRLF, escaping, folding at 75 octets without cutting a Cyrillic
letter in half — are easier to guarantee and test here than to trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from storage.models import Event, EventFormat, EventSession, EventStatus, utcnow

PRODID = "-//moc-bot//Мероприятия МОЦ//RU"
UID_DOMAIN = "moc-bot"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into ≤75-octet pieces joined by CRLF + space, whole characters only."""
    pieces: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # the leading space counts
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _location(event: Event, show_place: bool) -> str:
    if event.format != EventFormat.ONLINE:
        return event.place
    return event.place if show_place else "Онлайн (ссылку получат записавшиеся)"


def _description(event: Event, url: str | None) -> str:
    parts = [event.description.strip()]
    if event.speaker:
        parts.append(f"Ведущий: {event.speaker}")
    if event.organiser:
        parts.append(f"Организатор: {event.organiser}")
    if url:
        parts.append(f"Подробнее: {url}")
    return "\n\n".join(p for p in parts if p)


def _vevent(
    event: Event, session: EventSession | None, number: int, total: int, stamp: str,
    fields: dict[str, str],
) -> list[str]:  # fmt: skip
    start = session.starts_at if session is not None else event.starts_at
    minutes = session.duration_min if session is not None else event.duration_min
    # by the meeting's number, not its row id: a move makes new rows, and a file with a new
    # UID would add the new time to the teacher's calendar beside the old one (and its alarm)
    uid = f"event-{event.id}" + (f"-session-{number}" if session is not None else "")
    summary = event.title if total == 1 else f"{event.title} (занятие {number} из {total})"
    cancelled = event.status == EventStatus.CANCELLED
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        # a calendar replaces the entry of this UID only with a higher SEQUENCE (RFC 5546)
        f"SEQUENCE:{event.revision or 0}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(start + timedelta(minutes=minutes))}",
        f"SUMMARY:{escape_text(summary)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    lines += [f"{name}:{value}" for name, value in fields.items()]
    if not cancelled:
        alarm = f"DESCRIPTION:{escape_text('Через час: ' + event.title)}"
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", alarm, "TRIGGER:-PT1H", "END:VALARM"]
    return [*lines, "END:VEVENT"]


def _dropped(
    event: Event, meetings: Sequence[tuple[datetime, int]], after: int, stamp: str
) -> list[str]:
    """Meetings the event no longer has, numbered on from the `after` it keeps: the same UIDs
    the teacher's calendar holds them by, with STATUS:CANCELLED, so the calendar removes them
    (a file that just leaves them out leaves them there, alarm and all)."""
    lines: list[str] = []
    for number, (start, minutes) in enumerate(meetings, start=after + 1):
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.id}-session-{number}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{event.revision or 0}",
            f"DTSTART:{_utc(start)}",
            f"DTEND:{_utc(start + timedelta(minutes=minutes))}",
            f"SUMMARY:{escape_text(event.title)}",
            "STATUS:CANCELLED",
            "END:VEVENT",
        ]
    return lines


def event_ics(
    event: Event, sessions: Sequence[EventSession], *, tz_name: str, url: str | None,
    show_place: bool, dropped: Sequence[tuple[datetime, int]] = (),
) -> bytes:  # fmt: skip
    """A calendar with one VEVENT per session (times in UTC); online links only if show_place.
    `dropped`: (start, minutes) of meetings a change took away, each told as cancelled."""
    stamp = _utc(event.updated_at or utcnow())
    fields = {"DESCRIPTION": escape_text(_description(event, url))}
    location = _location(event, show_place)
    if location:
        fields["LOCATION"] = escape_text(location)
    if url:
        fields["URL"] = url  # a URI value, not TEXT: no escaping
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(event.title)}",
        f"X-WR-TIMEZONE:{tz_name}",
    ]
    ordered: list[EventSession | None] = [*sorted(sessions, key=lambda s: s.starts_at)] or [None]
    for number, session in enumerate(ordered, start=1):
        lines += _vevent(event, session, number, len(ordered), stamp, fields)
    if ordered[0] is not None:  # by number: only a calendar of session UIDs has such entries
        lines += _dropped(event, dropped, len(ordered), stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")
