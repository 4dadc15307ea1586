"""The checks of one row of an imported plan, whatever file it came from.

Staff plan a season in a spreadsheet. A half-imported plan is worse than none, so every row is
checked before anything is written and all problems come back at once, each with the line
number the person sees in their editor. Times are typed in the МОЦ time zone, stored in UTC.
The bot's and the panel's event forms apply the same rules (bot.services.events.form).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.markup import visible_len
from bot.services.events.cards import CARD_LIMIT, card
from bot.services.import_errors import ImportErrors
from bot.texts import events_io as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import Event, EventFormat, EventKind, EventSession, EventStatus

FIELDS = {
    "title": "название", "kind": "вид", "starts_at": "начало", "duration_min": "длительность",
    "format": "формат", "place": "место", "capacity": "число мест",
    "registration_deadline": "окончание записи", "description": "описание",
    "organiser": "организатор", "speaker": "ведущий", "audience": "аудитория", "id": "номер",
}  # fmt: skip  # `id` (written by the export) names the event a row updates
REQUIRED_COLUMNS = ("title", "kind", "starts_at", "duration_min", "format", "place", "capacity")
LIMITS = {"title": 200, "place": 500, "description": 3000}
TIME_FORMAT = "%Y-%m-%d %H:%M"
# what Russian Excel writes back into a CSV when it took «2027-09-15 10:00» for a date
EXCEL_TIME_FORMAT = "%d.%m.%Y %H:%M"
LINK = re.compile(r"https?://\S+", re.IGNORECASE)
MAX_CAPACITY = 100_000
FORMULA_START = ("=", "+", "-", "@")  # a CSV cell so written opens in Excel as a formula
Row = tuple[int, dict[str, str], list[str], list[str]]  # line, values, session starts, problems


@dataclass(frozen=True)
class EventDraft:
    """A checked event, ready to insert; `starts` are UTC, sorted, one per session. A row
    naming its event (`event_id`) may keep meetings already held: a workshop under way comes
    back from the export with them, and bot.services.events.reimport tries them as the panel's
    form does (a held meeting retyped or corrected, no more past times than were held)."""

    line: int
    title: str
    kind: str
    starts: tuple[datetime, ...]
    duration_min: int
    format: str
    place: str
    capacity: int
    registration_deadline: datetime | None
    description: str = ""
    organiser: str = ""
    speaker: str = ""
    audience: str = ""
    event_id: int | None = None  # the export's `id`: this row updates that event

    def event(self, created_by: int | None) -> Event:
        """The event this row makes (its sessions are added by `EventRepo.add`)."""
        return Event(
            title=self.title, kind=self.kind, starts_at=self.starts[0],
            duration_min=self.duration_min, format=self.format, place=self.place,
            capacity=self.capacity, taken=0, registration_deadline=self.registration_deadline,
            description=self.description, organiser=self.organiser, speaker=self.speaker,
            audience=self.audience, status=EventStatus.PUBLISHED, created_by=created_by,
        )  # fmt: skip


def wall_time(text: str) -> datetime | None:
    """A typed local time in either layout the import reads, or None."""
    for pattern in (TIME_FORMAT, EXCEL_TIME_FORMAT):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


class RowCheck:
    """The values of one row and the problems found in them."""

    def __init__(self, values: Mapping[str, str], tz: ZoneInfo, now: datetime) -> None:
        self.values, self.tz, self.now = values, tz, now
        self.problems: list[str] = []

    def bad(self, key: str, what: str) -> None:
        self.problems.append(f"{FIELDS[key]} ({key}) {what}")

    def text(self, key: str, required: bool = False) -> str:
        value = self.values.get(key, "").strip()
        if value[:1] == "'" and value[1:2] in FORMULA_START:  # the export's guard, taken off
            value = value[1:]
        if required and not value:
            self.bad(key, "не заполнено")
        elif len(value) > LIMITS.get(key, 200):
            self.bad(key, f"длиннее {LIMITS.get(key, 200)} символов ({len(value)})")
        return value

    def choice(self, key: str, labels: Mapping[str, str]) -> str:
        raw = self.values.get(key, "").strip()
        by_label = {label.lower(): value for value, label in labels.items()}
        value = raw if raw in labels else by_label.get(raw.lower(), "")
        if not value:
            what = f"«{raw}» не подходит" if raw else "не заполнено"
            self.bad(key, f"{what}; допустимо: {', '.join(labels)}")
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        raw = self.values.get(key, "").strip()
        value = int(raw) if re.fullmatch(r"\d{1,9}", raw) else low - 1
        if not low <= value <= high:
            what = f"«{raw}»" if raw else "не заполнено"
            self.bad(key, f"{what} — нужно целое число от {low} до {high}")
        return value

    def moment(self, key: str, raw: str) -> datetime | None:
        naive = wall_time(raw.strip())
        if naive is None:
            self.bad(
                key, f"«{raw.strip()}» — нужен формат ГГГГ-ММ-ДД ЧЧ:ММ (или ДД.ММ.ГГГГ ЧЧ:ММ)"
            )
            return None
        utc = naive.replace(tzinfo=self.tz).astimezone(UTC)
        if utc.astimezone(self.tz).replace(tzinfo=None) != naive:
            self.bad(key, f"«{raw.strip()}» — такого времени нет в поясе {self.tz.key}")
            return None
        return utc

    def starts(self, raw: Sequence[str], kind: str) -> tuple[datetime, ...]:
        """Every meeting; several only for a workshop, as the panel's form allows. A time in
        the past only in a row naming its event (a workshop under way, re-imported)."""
        found: list[datetime] = []
        names_event = bool(self.values.get("id", "").strip())
        for item in raw:
            moment = self.moment("starts_at", item)
            if moment is not None and moment <= self.now and not names_event:
                self.bad("starts_at", f"«{item.strip()}» уже прошло — нужна будущая дата")
            elif moment is not None:
                found.append(moment)
        if not raw:
            self.bad("starts_at", "не заполнено")
        if len(raw) > 1 and kind and kind != EventKind.WORKSHOP:
            self.bad("starts_at", t.ONE_DATE_ONLY.format(kind=KIND_LABELS[kind]))
        if len(set(found)) != len(found):
            self.bad("starts_at", "одно и то же время указано дважды")
        return tuple(sorted(found))

    def place(self, fmt: str) -> str:
        place = self.text("place")
        if fmt == EventFormat.ONLINE and not LINK.search(place):
            self.bad("place", "— для онлайн-формата нужна ссылка http:// или https://")
        elif fmt == EventFormat.OFFLINE and not place:
            self.bad("place", "не заполнено — укажите адрес")
        return place

    def deadline(self, starts: Sequence[datetime]) -> datetime | None:
        raw = self.values.get("registration_deadline", "").strip()
        moment = self.moment("registration_deadline", raw) if raw else None
        if moment is not None and starts and moment > starts[0]:
            self.bad("registration_deadline", "позже начала мероприятия")
        return moment

    def card_fits(self, draft: EventDraft) -> None:
        """Teachers read an event as one message: a card over the limit (a long description
        beside many meetings) is refused here, as the event form refuses it."""
        event = draft.event(None)
        event.sessions = [EventSession(starts_at=s, duration_min=draft.duration_min)
                          for s in draft.starts]  # fmt: skip
        length = visible_len(card(event, self.tz, show_link=True))
        if length > CARD_LIMIT:
            self.bad("description", f"— карточка мероприятия выйдет длиннее {CARD_LIMIT} "
                     f"символов ({length}): сократите описание или число занятий")  # fmt: skip

    def build(self, line: int, starts_raw: Sequence[str]) -> EventDraft:
        title, kind = self.text("title", required=True), self.choice("kind", KIND_LABELS)
        starts = self.starts(starts_raw, kind)
        duration = self.integer("duration_min", 1, 1440)
        fmt = self.choice("format", FORMAT_LABELS)
        place, capacity = self.place(fmt), self.integer("capacity", 1, MAX_CAPACITY)
        deadline = self.deadline(starts)
        known = self.integer("id", 1, 10**9) if self.values.get("id", "").strip() else None
        return EventDraft(
            line=line, title=title, kind=kind, starts=starts, duration_min=duration, format=fmt,
            place=place, capacity=capacity, registration_deadline=deadline,
            description=self.text("description"), organiser=self.text("organiser"),
            speaker=self.text("speaker"), audience=self.text("audience"), event_id=known,
        )  # fmt: skip


def check_all(rows: Iterable[Row], tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    """Every row checked; the drafts, or ImportErrors naming each refused row."""
    drafts: list[EventDraft] = []
    errors: list[str] = []
    seen: dict[tuple[object, ...], int] = {}  # a row copied twice would be two events
    for line, values, starts, problems in rows:
        check = RowCheck(values, tz, now)
        check.problems.extend(problems)
        draft = check.build(line, starts)
        if not check.problems:
            check.card_fits(draft)
        if not check.problems and (first := seen.setdefault(_key(draft), line)) != line:
            what = "id" if draft.event_id else "название и начало"
            check.problems.append(f"то же мероприятие ({what}), что в строке {first}")
        if check.problems:
            errors.append(f"строка {line}: " + "; ".join(check.problems))
        drafts.append(draft)
    if errors:
        raise ImportErrors(errors)
    if not drafts:
        raise ImportErrors(["в файле нет ни одного мероприятия"])
    return drafts


def _key(draft: EventDraft) -> tuple[object, ...]:
    return (draft.event_id,) if draft.event_id else (draft.title, draft.starts[0])
