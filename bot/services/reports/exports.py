"""Participant lists for staff: an Excel workbook and a CSV that Russian Excel opens correctly.

Names, organisations and contacts are typed by teachers, so a value like `=HYPERLINK(...)`
would run as a formula on a staff computer. In the workbook every text is stored as a text
cell (shown as typed, a phone «+7 …» without a visible apostrophe); the CSV has no cell types,
so there a value that starts like a formula gets the `'` prefix (CSV injection).
The CSV has a BOM and `;` because that is what Excel with Russian regional settings expects.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.words import xml_safe
from bot.texts.events_labels import REGISTRATION_STATUS_LABELS
from storage.models import Event

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "№", "ФИО", "Организация", "Должность", "Контакт", "Дата записи", "Статус", "Поздняя отмена",
)  # fmt: skip
DATE_FORMAT = "%d.%m.%Y %H:%M"
EXCEL_DATE_FORMAT = "DD.MM.YYYY HH:MM"
MAX_WIDTH = 50


@dataclass(frozen=True)
class ParticipantRow:
    """One line of a participant list; `registered_at` is timezone-aware."""

    full_name: str
    organisation: str
    position: str
    contact: str
    registered_at: datetime
    status: str  # RegistrationStatus value
    cancelled_late: bool = False
    meetings: tuple[bool, ...] = ()  # a series: present at each meeting, in order


def safe_cell(value: str) -> str:
    """Prefix `'` to text a spreadsheet would read as a formula; drop what XML cannot hold."""
    value = xml_safe(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def status_label(status: str) -> str:
    return REGISTRATION_STATUS_LABELS.get(status, status)


def _values(
    number: int, row: ParticipantRow, tz: ZoneInfo, text: Callable[[str], str] = safe_cell
) -> list[Any]:
    return [
        number,
        text(row.full_name),
        text(row.organisation),
        text(row.position),
        text(row.contact),
        row.registered_at.astimezone(tz).replace(tzinfo=None),  # Excel has no time zones
        status_label(row.status),
        "да" if row.cancelled_late else "",
        *(("да" if came else "") for came in row.meetings),
        *((sum(row.meetings),) if row.meetings else ()),
    ]


def header(event: Event, tz: ZoneInfo) -> list[str]:
    """The columns; a series adds «Встреча 1 (05.10)»… and «Посещено встреч»."""
    if len(event.sessions) < 2:
        return list(HEADER)
    days = [s.starts_at.astimezone(tz).strftime("%d.%m") for s in event.sessions]
    meetings = [f"Встреча {n} ({day})" for n, day in enumerate(days, start=1)]
    return [*HEADER, *meetings, "Посещено встреч"]


def event_caption(event: Event, tz: ZoneInfo) -> str:
    """«Title — 15.03.2027 10:00 — place», the first line of a list."""
    when = event.starts_at.astimezone(tz).strftime(DATE_FORMAT)
    return xml_safe(" — ".join(part for part in (event.title, when, event.place) if part))


def fit_columns(sheet: Worksheet, first_row: int = 2, minimum: int = 6) -> None:
    """Set each column about as wide as its longest value from `first_row` (the header) on."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            value = cell.value
            text = value.strftime(DATE_FORMAT) if isinstance(value, datetime) else str(value or "")
            widths[cell.column] = max(widths.get(cell.column, minimum), len(text) + 2)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width, MAX_WIDTH)


def as_text(cells: Iterable[Cell | MergedCell]) -> None:
    """Store every string as a text cell: openpyxl would make `=…` a formula."""
    for cell in cells:
        if isinstance(cell, Cell) and isinstance(cell.value, str):
            cell.data_type = "s"


def participants_xlsx(event: Event, rows: Sequence[ParticipantRow], tz: ZoneInfo) -> bytes:
    """A sheet: caption row, bold header, frozen below it, autofilter over the list."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Участники"
    sheet.append([event_caption(event, tz)])
    as_text(sheet[1])
    sheet["A1"].font = Font(bold=True, size=13)
    columns = header(event, tz)
    sheet.append(columns)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for number, row in enumerate(rows, start=1):
        sheet.append(_values(number, row, tz, text=xml_safe))
        as_text(sheet[number + 2])
        sheet.cell(row=number + 2, column=6).number_format = EXCEL_DATE_FORMAT
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{len(rows) + 2}"
    fit_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def participants_csv(event: Event, rows: Sequence[ParticipantRow], tz: ZoneInfo) -> bytes:
    """UTF-8 with BOM, `;`-separated, header row then one row per participant."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(event, tz))
    for number, row in enumerate(rows, start=1):
        values = _values(number, row, tz)
        values[5] = values[5].strftime(DATE_FORMAT)
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8-sig")
