"""Reading a plan of events from a file — CSV, Excel (.xlsx) or YAML — into rows for
bot.services.events.import_rows to check.

Each reader keeps the line number the person sees in their editor, so a refused row is named
as they will find it; a file that cannot be read at all is one Russian line, not a traceback.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.core import yaml_problems
from bot.core.tables import EMPTY, UnreadableText, csv_rows, decode_table, is_empty
from bot.services.events.import_rows import (
    FIELDS,
    REQUIRED_COLUMNS,
    TIME_FORMAT,
    EventDraft,
    Row,
    check_all,
)
from bot.services.import_errors import ImportErrors


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


def _table_row(line: int, columns: Sequence[str], cells: Sequence[str]) -> Row:
    extra = [c for c in cells[len(columns) :] if c.strip()]
    problems = [f"лишние значения за последним столбцом: {len(extra)}"] if extra else []
    values = {c: v for c, v in zip(columns, cells, strict=False) if c}
    return line, values, _split_starts(values.get("starts_at", "")), problems


def parse_events_csv(text: str, tz: ZoneInfo, now: datetime) -> list[EventDraft]:
    """Check every row of a CSV (`,` or, as Russian Excel saves it, `;`); raise ImportErrors."""
    try:
        table = csv_rows(text.removeprefix("\ufeff"))
    except UnreadableText as exc:
        raise ImportErrors([str(exc)]) from None
    columns = _csv_header(table[0][1] if table else [])
    rows = [
        _table_row(line, columns, cells)
        for line, cells in table[1:]
        if any(cell.strip() for cell in cells)
    ]
    return check_all(rows, tz, now)


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
        line, problem = yaml_problems.describe(exc)
        raise ImportErrors([f"строка {line}: ошибка разметки YAML: {problem}"]) from exc
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "events"), None)
        data = data.get("events")
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ImportErrors(["строка 1: нужен список мероприятий: «events:», под ним «- title: …»"])
    pairs = zip(node.value, data, strict=True)
    return check_all((_yaml_row(n.start_mark.line + 1, i, tz) for n, i in pairs), tz, now)


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
    rows = [
        _table_row(line, columns, row)
        for line, row in enumerate(cells[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    return check_all(rows, tz, now)


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
