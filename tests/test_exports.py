"""Participant lists open in Excel as staff expect, and user-typed text never runs as a formula.

The workbook is read back with openpyxl; the CSV is checked byte by byte for the BOM and the
`;` that Russian Excel needs to split columns and show Cyrillic.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.events.participation import Participation, participation_docx
from bot.services.reports.exports import (
    ParticipantRow,
    participants_csv,
    participants_xlsx,
    safe_cell,
)
from storage.models import Event

MOSCOW = ZoneInfo("Europe/Moscow")
EVENT = Event(
    id=1, title="Семинар «Проектирование программы»", place="ул. Ленина, 15",
    starts_at=datetime(2027, 3, 15, 7, 0, tzinfo=UTC), capacity=30,
)  # fmt: skip
ROWS = [
    ParticipantRow(
        "Иванова Анна Петровна", "МБУ ДО «ДДТ»", "педагог", "+7 900 000-00-00",
        datetime(2027, 3, 1, 21, 30, tzinfo=UTC), "registered",
    ),
    ParticipantRow(
        '=HYPERLINK("http://evil","Жми")', "@SUM(A1)", "-педагог", "contact",
        datetime(2027, 3, 2, 6, 0, tzinfo=UTC), "waiting",
    ),
    ParticipantRow(
        "Петров Пётр", "СОШ № 5", "учитель", "p@example.org",
        datetime(2027, 3, 3, 6, 0, tzinfo=UTC), "cancelled", cancelled_late=True,
    ),
    ParticipantRow(
        "Сидорова Мария", "ДШИ", "методист", "@sidorova",
        datetime(2027, 3, 4, 6, 0, tzinfo=UTC), "attended",
    ),
]  # fmt: skip


def _sheet() -> Worksheet:
    book = load_workbook(io.BytesIO(participants_xlsx(EVENT, ROWS, MOSCOW)))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_xlsx_title_header_and_rows() -> None:
    sheet = _sheet()
    title = str(sheet["A1"].value)
    assert "Проектирование программы" in title and "15.03.2027 10:00" in title
    assert "ул. Ленина, 15" in title
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["№", "ФИО", "Организация"] and "Статус" in header
    assert all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:H6"
    assert sheet.column_dimensions["B"].width > 15
    first = [c.value for c in sheet[3]]
    assert first[1] == "Иванова Анна Петровна"
    assert first[5] == datetime(2027, 3, 2, 0, 30)  # local time of the МОЦ, shown as a date
    statuses = [sheet.cell(row=r, column=7).value for r in range(3, 7)]
    assert statuses == ["записан", "в листе ожидания", "отменил", "присутствовал"]
    assert sheet.cell(row=5, column=8).value == "да"


def test_formulas_are_neutralised() -> None:
    sheet = _sheet()
    evil = [c for c in sheet[4]]
    # text cells: shown exactly as typed, never run, no visible apostrophe
    assert evil[1].value == '=HYPERLINK("http://evil","Жми")' and evil[1].data_type == "s"
    assert evil[2].value == "@SUM(A1)" and evil[3].value == "-педагог"
    assert sheet.cell(row=3, column=5).value == "+7 900 000-00-00"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert safe_cell("обычный текст") == "обычный текст"


def test_csv_has_bom_semicolons_and_labels() -> None:
    data = participants_csv(EVENT, ROWS, MOSCOW)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("№;ФИО;Организация;")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 5
    assert rows[1][5] == "02.03.2027 00:30"
    assert [r[6] for r in rows[1:]] == ["записан", "в листе ожидания", "отменил", "присутствовал"]
    assert rows[2][1].startswith("'=") and rows[4][4] == "'@sidorova"


def test_a_stray_control_character_does_not_break_the_list_the_report_or_the_document() -> None:
    """A title or name pasted with a control character (\\x01, a vertical tab): openpyxl and
    python-docx refuse to store it, so the whole list, report or document used to fail."""
    event = Event(
        id=2, title="Семинар\x01 «Проекты»\x0b", place="ул.\x08 Мира", capacity=5,
        starts_at=datetime(2027, 3, 15, 7, 0, tzinfo=UTC),
    )  # fmt: skip
    row = ParticipantRow(
        "Иванова\x01 Анна", "=СОШ\x02 № 5", "педагог", "+7 900",
        datetime(2027, 3, 1, 6, 0, tzinfo=UTC), "attended",
    )  # fmt: skip
    book = load_workbook(io.BytesIO(participants_xlsx(event, [row], MOSCOW)))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    assert str(sheet["A1"].value).startswith("Семинар «Проекты» — 15.03.2027 10:00")
    assert sheet["B3"].value == "Иванова Анна" and sheet["C3"].value == "=СОШ № 5"
    assert safe_cell("=СОШ\x02 № 5") == "'=СОШ № 5"
    assert b"\x01" not in participants_csv(event, [row], MOSCOW)

    document = participation_docx(
        Participation(
            moc_name="МОЦ\x01", full_name="Иванова\x01 Анна", organisation="СОШ № 5",
            position="педагог", title="Семинар\x0b «Проекты»", kind="Семинар",
            dates="пн, 15 марта 2027", hours="1,5", number=7, issued=date(2027, 3, 16),
        )
    )  # fmt: skip
    text = "\n".join(p.text for p in Document(io.BytesIO(document)).paragraphs)
    assert "Иванова Анна принял(а) участие в мероприятии «Семинар «Проекты»»" in text
