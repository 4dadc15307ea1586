"""The plan of events written back in the import's own layout, to edit in Excel and import again.

The columns are exactly those bot.services.events.import_rows reads, plus `id`, so the import
updates each event rather than adding it twice (bot.services.events.reimport). Only events
with a meeting ahead are written, not cancelled: the import refuses a time in the past, so a
past seminar in the file would stop the whole plan from coming back. A workshop under way (its
first meeting held, later ones ahead) is written whole: its row names it by `id`, and the
import takes its held meetings back by the panel form's rules (retyped, or corrected).

A workshop's meetings share one cell, «08.12.2026 15:00; 15.12.2026 15:00», as the import
reads them. The CSV is what Russian Excel opens as a table: UTF-8 with a BOM, «;»; a text that
starts like a formula gets the `'` prefix there (the import takes it off again). In the
workbook every text is a text cell and a single start a real date-time cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.events.import_rows import EXCEL_TIME_FORMAT, FIELDS
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import Event, EventStatus

COLUMNS = ("id", *(name for name in FIELDS if name != "id"))
SHEET = "Мероприятия"
TIME_CELL = "DD.MM.YYYY HH:MM"


def ahead(events: Iterable[Event], now: datetime) -> list[Event]:
    """The events a re-import can take back: a meeting still ahead, not cancelled; by start."""
    kept = [e for e in events if e.status != EventStatus.CANCELLED and _last_start(e) > now]
    return sorted(kept, key=lambda e: (e.starts_at, e.id))


def _last_start(event: Event) -> datetime:
    return max((s.starts_at for s in event.sessions), default=event.starts_at)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)  # Excel has no time zones


def _row(event: Event, tz: ZoneInfo) -> dict[str, Any]:
    starts = sorted(s.starts_at for s in event.sessions) or [event.starts_at]
    deadline = event.registration_deadline
    return {
        "id": event.id, "title": event.title, "kind": KIND_LABELS.get(event.kind, event.kind),
        "starts_at": [_local(s, tz) for s in starts], "duration_min": event.duration_min,
        "format": FORMAT_LABELS.get(event.format, event.format), "place": event.place,
        "capacity": event.capacity,
        "registration_deadline": _local(deadline, tz) if deadline else None,
        "description": event.description, "organiser": event.organiser or "",
        "speaker": event.speaker or "", "audience": event.audience or "",
    }  # fmt: skip


def _text(value: Any) -> str:
    from bot.services.reports.exports import safe_cell

    if isinstance(value, list):
        return "; ".join(f"{m:{EXCEL_TIME_FORMAT}}" for m in value)
    if isinstance(value, datetime):
        return f"{value:{EXCEL_TIME_FORMAT}}"
    return "" if value is None else safe_cell(str(value)) if isinstance(value, str) else str(value)


def events_csv(events: Sequence[Event], tz: ZoneInfo) -> bytes:
    """The import's CSV as Russian Excel opens it: a BOM, «;», CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for event in events:
        row = _row(event, tz)
        writer.writerow([_text(row[c]) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any) -> Any:
    from bot.core.words import xml_safe

    if isinstance(value, list):  # one start: a date-time cell; a series: the CSV's text
        return value[0] if len(value) == 1 else _text(value)
    return xml_safe(value) if isinstance(value, str) else value


def events_xlsx(events: Sequence[Event], tz: ZoneInfo) -> bytes:
    """The same table as the first sheet of a workbook (the import reads the first sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    from bot.services.reports.exports import as_text, fit_columns

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for event in events:
        row = _row(event, tz)
        sheet.append([_cell(row[c]) for c in COLUMNS])
    for cells in sheet.iter_rows(min_row=1):
        as_text(cells)
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = TIME_CELL
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    fit_columns(sheet, first_row=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
