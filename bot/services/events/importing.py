"""Bulk import of events from CSV, Excel (.xlsx) or YAML; the JSON of `events list --json`.

Staff plan a season in a spreadsheet. A half-imported plan is worse than none, so every row is
checked before anything is written and all problems come back at once, each with the line
number the person sees in their editor. Times are typed in the МОЦ time zone, stored in UTC.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.core.markup import visible_len
from bot.core.tables import EMPTY, UnreadableText, csv_rows, decode_table, is_empty
from bot.services.events.cards import CARD_LIMIT, card
from bot.services.import_errors import ImportErrors
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import Event, EventFormat, EventSession, EventStatus
from storage.repositories.events import EventRepo

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
    """A checked event, ready to insert; `starts` are UTC, sorted, one per session."""

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


def _wall_time(text: str) -> datetime | None:
    for pattern in (TIME_FORMAT, EXCEL_TIME_FORMAT):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


class _Check:
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
        naive = _wall_time(raw.strip())
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

    def starts(self, raw: Sequence[str]) -> tuple[datetime, ...]:
        found: list[datetime] = []
        for item in raw:
            moment = self.moment("starts_at", item)
            if moment is not None and moment <= self.now:
                self.bad("starts_at", f"«{item.strip()}» уже прошло — нужна будущая дата")
            elif moment is not None:
                found.append(moment)
        if not raw:
            self.bad("starts_at", "не заполнено")
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
        starts = self.starts(starts_raw)
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


def _check_all(rows: Iterable[Row], tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    drafts: list[EventDraft] = []
    errors: list[str] = []
    seen: dict[tuple[object, ...], int] = {}  # a row copied twice would be two events
    for line, values, starts, problems in rows:
        check = _Check(values, tz, now)
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


def _split_starts(value: str) -> list[str]:
    return [part for part in value.split(";") if part.strip()]


def _csv_header(header: Sequence[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    unknown = [c for c in columns if c and c not in FIELDS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    problems = [f"неизвестные столбцы: {', '.join(unknown)}"] if unknown else []
    problems += [f"нет столбцов: {', '.join(missing)}"] if missing else []
    problems += [f"столбцы повторяются: {', '.join(twice)}"] if twice else []
    if problems:
        raise ImportErrors(["строка 1: " + "; ".join(problems)])
    return columns


def parse_events_csv(text: str, tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    """Check every row of a CSV (`,` or, as Russian Excel saves it, `;`); raise ImportErrors."""
    try:
        table = csv_rows(text.removeprefix("\ufeff"))
    except UnreadableText as exc:
        raise ImportErrors([str(exc)]) from None
    columns = _csv_header(table[0][1] if table else [])
    rows: list[Row] = []
    for line, cells in table[1:]:
        if any(cell.strip() for cell in cells):
            extra = [c for c in cells[len(columns) :] if c.strip()]
            problems = [f"лишние значения за последним столбцом: {len(extra)}"] if extra else []
            values = {c: v for c, v in zip(columns, cells, strict=False) if c}
            rows.append((line, values, _split_starts(values.get("starts_at", "")), problems))
    return _check_all(rows, tz, now)


def _scalar(value: Any, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # YAML reads `2027-03-01 10:00:00` as a timestamp
        local = value.astimezone(tz) if value.tzinfo else value
        return local.strftime(TIME_FORMAT)
    return value.isoformat() if isinstance(value, date) else str(value)


def _yaml_row(line: int, item: Any, tz: ZoneInfo) -> Row:
    if not isinstance(item, dict):
        return line, {}, [], ["ожидается мероприятие в виде «ключ: значение»"]
    unknown = [str(k) for k in item if k not in FIELDS and k != "sessions"]
    problems = [f"неизвестные поля: {', '.join(unknown)}"] if unknown else []
    values = {str(k): _scalar(v, tz) for k, v in item.items() if k in FIELDS}
    sessions = item.get("sessions")
    if sessions is not None and values.get("starts_at"):
        problems.append("укажите либо starts_at, либо sessions")
    if sessions is not None and not isinstance(sessions, list):
        problems.append("sessions должен быть списком дат")
        sessions = None
    starts = [_scalar(s, tz) for s in sessions or []]
    return line, values, starts or _split_starts(values.get("starts_at", "")), problems


def parse_events_yaml(text: str, tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    """A list of events (or `events:` holding one); `sessions:` lists a series' meetings."""
    try:
        node, data = yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or exc
        raise ImportErrors([f"строка {line}: ошибка разметки YAML: {problem}"]) from exc
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "events"), None)
        data = data.get("events")
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ImportErrors(["строка 1: нужен список мероприятий: «events:», под ним «- title: …»"])
    pairs = zip(node.value, data, strict=True)
    return _check_all((_yaml_row(n.start_mark.line + 1, i, tz) for n, i in pairs), tz, now)


def _cell(value: Any, tz: ZoneInfo) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps «30» as 30.0
    return _scalar(value, tz)


def _xlsx_cell(cell: Any, tz: ZoneInfo) -> str:
    """A cell formatted as a date alone («02.03.2027») holds midnight: read it as the day it
    shows, so a forgotten time is refused as in a CSV rather than an event at 00:00."""
    value, shown = cell.value, str(getattr(cell, "number_format", "") or "").lower()
    if isinstance(value, datetime) and value.time() == time() and "h" not in shown:
        return value.date().isoformat()
    return _cell(value, tz)


def parse_events_xlsx(data: bytes, tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    """The first sheet of an Excel workbook laid out as the CSV: a header row, then events."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        cells = [[_xlsx_cell(c, tz) for c in row] for row in book.worksheets[0].iter_rows()]
    except Exception as exc:  # a zip error, a missing part, a foreign format: all mean the same
        raise ImportErrors(["файл не читается как книга Excel (.xlsx)"]) from exc
    columns = _csv_header(cells[0] if cells else [])
    rows: list[Row] = []
    for line, row in enumerate(cells[1:], start=2):
        if any(cell.strip() for cell in row):
            extra = [c for c in row[len(columns) :] if c.strip()]
            problems = [f"лишние значения за последним столбцом: {len(extra)}"] if extra else []
            values = {c: v for c, v in zip(columns, row, strict=False) if c}
            rows.append((line, values, _split_starts(values.get("starts_at", "")), problems))
    return _check_all(rows, tz, now)


def parse_events_file(name: str, data: bytes, tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    """Pick the parser by extension (.csv, .xlsx, .yaml, .yml); text files in UTF-8 or, as
    Russian Excel saves a plain «CSV», Windows-1251."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix not in ("csv", "xlsx", "yaml", "yml"):
        raise ImportErrors(["нужен файл .csv, .xlsx, .yaml или .yml"])
    if is_empty(data):
        raise ImportErrors([EMPTY])
    if suffix == "xlsx":
        return parse_events_xlsx(data, tz, now)
    try:
        text = decode_table(data)
    except UnreadableText as exc:
        raise ImportErrors([str(exc)]) from exc
    parse = parse_events_csv if suffix == "csv" else parse_events_yaml
    return parse(text, tz, now)


@dataclass(frozen=True)
class Imported:
    """What an import did: ids of the new events; (line, id) of rows already in the schedule."""

    ids: list[int]
    existing: list[tuple[int, int]]


async def import_events(
    repo: EventRepo, drafts: Sequence[EventDraft], created_by: int | None
) -> Imported:
    """Insert checked drafts with their sessions; the caller commits once. A row whose event
    (same title, same first start) is already there is skipped: the same plan imported twice
    (a retry, a colleague) must not show teachers every event twice."""
    ids: list[int] = []
    existing: list[tuple[int, int]] = []
    for d in drafts:
        if (same := await repo.same(d.title, d.starts[0])) is not None:
            existing.append((d.line, same.id))
            continue
        event = d.event(created_by)
        await repo.add(event, d.starts)
        ids.append(event.id)
    return Imported(ids, existing)


def events_to_json(
    events: Iterable[Event], counts: Mapping[int, Mapping[str, int]], tz: ZoneInfo
) -> list[dict[str, Any]]:
    """`counts` is EventRepo.counts per event id; seats taken = registered + attended."""
    return [
        {
            "id": e.id,
            "title": e.title,
            "kind": e.kind,
            "starts_at": e.starts_at.astimezone(tz).isoformat(),
            "capacity": e.capacity,
            "registered": counts.get(e.id, {}).get("registered", 0)
            + counts.get(e.id, {}).get("attended", 0),
            "waiting": counts.get(e.id, {}).get("waiting", 0),
        }
        for e in events
    ]
