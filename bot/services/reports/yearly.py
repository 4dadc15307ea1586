"""The activity report workbook a МОЦ hands to its municipality: the events (a summary, by
kind, by organisation, by month with a chart, held by month and quarter) and the bot's other
work (questions, tickets, broadcasts, subscribers) over the same days.

Staff paste these numbers into official reports, so every sheet is a plain table with Russian
headings; organisation names come from teachers' profiles and are neutralised like any other
user-typed text before they reach a cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.dates import MONTHS_NOMINATIVE
from bot.services.reports.exports import EXCEL_DATE_FORMAT, fit_columns, safe_cell
from bot.texts.chats import CHANNEL_TITLES
from bot.texts.events_labels import KIND_LABELS
from storage.repositories.report_rows import NO_ORGANISATION
from storage.repositories.reports import ReportData


@dataclass(frozen=True)
class Organisations:
    """Participants by organisation as a report reader counts them: «Организаций» is how many
    are named; people whose profile names none are one «не указана» row after them, never an
    organisation. The panel and the workbook both read it here, so their figures agree."""

    named: tuple[tuple[str, int], ...]  # participants with a seat, most first
    unnamed: int  # participants whose profile names no organisation

    @property
    def rows(self) -> tuple[tuple[str, int], ...]:
        """The table: the named ones, then «не указана» when anyone has none."""
        return self.named + (((NO_ORGANISATION, self.unnamed),) if self.unnamed else ())


def organisations(data: ReportData) -> Organisations:
    named = tuple((name, n) for name, n in data.by_organisation if name != NO_ORGANISATION)
    unnamed = sum(n for name, n in data.by_organisation if name == NO_ORGANISATION)
    return Organisations(named, unnamed)


def month_label(year: int, month: int) -> str:
    return f"{MONTHS_NOMINATIVE[month - 1]} {year}"


def period_label(start: date, end: date) -> str:
    return f"с {start:%d.%m.%Y} по {end:%d.%m.%Y}"


def hours_minutes(delta: timedelta | None) -> str:
    """«2:05», «26:00» as the workbook's [h]:mm shows it; «—» when nothing was measured."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _table(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Bold header in row 1, rows below, the header frozen, columns as wide as their text."""
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    fit_columns(sheet, first_row=1)


PLANNED = "Запланировано (ещё не проведены, в «Мероприятий» не входят)"
DOCUMENTS = "Выдано документов об участии (подтверждений для аттестации)"
HOW_COUNTED = (
    "Как считается: занятия и посещения — в периоде, когда занятие прошло; мероприятие — в "
    "каждом периоде, где у него было занятие (серия декабря и января входит в оба года, у "
    "каждого — свои занятия и посещения); присутствовали — отмеченные на занятии этого "
    "периода; документы об участии — по дате выдачи, один на педагога и мероприятие."
)


def _summary(sheet: Worksheet, data: ReportData, start: date, end: date, moc_name: str) -> None:
    t, orgs = data.totals, organisations(data)
    sheet.append([safe_cell(moc_name)])
    sheet.append([f"Отчёт о мероприятиях для педагогов {period_label(start, end)}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    rows: list[tuple[str, Any]] = [
        ("Мероприятий", t.events),
        (PLANNED, t.planned),
        ("Занятий (встреч)", t.sessions),
        ("Записей (без отменённых)", t.registrations),
        ("из них в листе ожидания", t.waiting),
        ("Отменённых записей", t.cancelled),
        ("из них поздних отмен", t.cancelled_late),
        ("Уникальных участников", t.unique_participants),
        ("Организаций", len(orgs.named)),
        ("Участников без указанной организации", orgs.unnamed),
        ("Присутствовали", t.attended),
        ("Посещений занятий (отметок по встречам)", t.visits),
        ("Педагогов, присутствовавших хотя бы раз", t.people_attended),
        ("Организаций, чьи педагоги присутствовали", t.organisations_attended),
        ("Доля присутствовавших от записанных (на прошедших)", t.attendance_rate),
    ]
    for label, value in rows:
        sheet.append([label, value])
    sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    if data.activity is not None:
        sheet.append([DOCUMENTS, data.activity.documents_issued])
    _by_channel(sheet, data)
    sheet.append([])
    sheet.append([HOW_COUNTED])
    sheet.column_dimensions["A"].width = 42
    for column in "BCD":
        sheet.column_dimensions[column].width = 14


def _by_channel(sheet: Worksheet, data: ReportData) -> None:
    """Below the totals: where the teachers registered from, Telegram or MAX, and where the
    participation documents were given out."""
    sheet.append([])
    header = ["По мессенджерам", "Записей", "Участников", "Присутствовали"]
    documents = dict(data.activity.documents) if data.activity is not None else None
    sheet.append(header if documents is None else [*header, "Выдано документов"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for c in data.by_channel:
        title = CHANNEL_TITLES.get(c.channel, c.channel)
        row = [title, c.registrations, c.participants, c.attended]
        sheet.append(row if documents is None else [*row, documents.get(c.channel, 0)])


def channel_summary(data: ReportData) -> str:
    """«Telegram: записей 12, участников 9; MAX: записей 3, участников 3» for a caption."""
    return "; ".join(
        f"{CHANNEL_TITLES.get(c.channel, c.channel)}: записей {c.registrations}, "
        f"участников {c.participants}"
        for c in data.by_channel
    )


def _by_kind(sheet: Worksheet, data: ReportData) -> None:
    rows = [
        (KIND_LABELS.get(k.kind, k.kind), k.events, k.sessions, k.registrations, k.attended)
        for k in data.by_kind
    ]
    header = ("Вид мероприятия", "Мероприятий", "Занятий", "Записей", "Присутствовали")
    _table(sheet, header, rows)
    if data.by_kind:  # the sums the «Сводка» and the caption name, to check the table by
        k = data.by_kind
        sums = (sum(x.events for x in k), sum(x.sessions for x in k),
                sum(x.registrations for x in k), sum(x.attended for x in k))  # fmt: skip
        sheet.append(["Итого", *sums])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)


def _by_organisation(sheet: Worksheet, data: ReportData) -> None:
    """Named organisations (sortable, filtered), then «не указана» below them, outside the
    filter's range, so sorting never files it among the organisations."""
    orgs = organisations(data)
    rows = [(safe_cell(name), count) for name, count in orgs.rows]
    _table(sheet, ("Организация", "Участников"), rows)
    if orgs.named:
        sheet.auto_filter.ref = f"A1:B{len(orgs.named) + 1}"


def _by_month(sheet: Worksheet, data: ReportData) -> None:
    rows = [(month_label(m.year, m.month), m.registrations) for m in data.by_month]
    _table(sheet, ("Месяц, когда записались", "Записей"), rows)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Записи по месяцам"
    chart.y_axis.title = "Записей"
    chart.x_axis.title = "Месяц"
    chart.legend = None
    values = Reference(sheet, min_col=2, min_row=1, max_row=max(len(rows), 1) + 1)
    months = Reference(sheet, min_col=1, min_row=2, max_row=max(len(rows), 1) + 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(months)
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, "D2")


QUARTERS = ("I", "II", "III", "IV")
HELD_HEADER = ("Мероприятий (первое занятие в периоде)", "Занятий (встреч)", "Посещений (отметок)")


def _held(sheet: Worksheet, data: ReportData) -> None:
    """Months, then calendar quarters and the total: what a yearly form asks by month or
    quarter. A series that met in two years is in each with its own meetings: an event in
    the month of its first meeting within the period."""
    months = [(month_label(m.year, m.month), m.events, m.sessions, m.visits) for m in data.held]
    _table(sheet, ("Месяц", *HELD_HEADER), months)
    quarters: dict[tuple[int, int], list[int]] = {}
    for m in data.held:
        sums = quarters.setdefault((m.year, (m.month - 1) // 3), [0, 0, 0])
        for i, value in enumerate((m.events, m.sessions, m.visits)):
            sums[i] += value
    sheet.append([])
    sheet.append(["Квартал", *HELD_HEADER])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for (year, q), sums in quarters.items():
        sheet.append([f"{QUARTERS[q]} квартал {year}", *sums])
    total = [sum(row[i] for row in quarters.values()) for i in range(3)]
    sheet.append(["Итого", *total])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _events(sheet: Worksheet, data: ReportData) -> None:
    """One line per event held: the list a yearly form's «перечень мероприятий» asks for."""
    header = (
        "Дата", "Мероприятие", "Вид", "Встреч", "Записано (мест)", "Присутствовали",
        "Посещений (отметок)", "Документов об участии",
    )  # fmt: skip
    rows = [
        (e.starts_at, safe_cell(e.title), KIND_LABELS.get(e.kind, e.kind), e.sessions, e.seats,
         e.attended, e.visits, e.documents)
        for e in data.by_event
    ]  # fmt: skip
    planned = [row for row, e in zip(rows, data.by_event, strict=True) if e.planned]
    held = [row for row, e in zip(rows, data.by_event, strict=True) if not e.planned]
    _table(sheet, header, held)
    if held:
        sheet.auto_filter.ref = f"A1:H{len(held) + 1}"
    if planned:  # below the filter's range: sorting never files them among the held
        sheet.append([])
        sheet.append([PLANNED])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for row in planned:
            sheet.append(list(row))
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        if not isinstance(cell.value, str):
            cell.number_format = EXCEL_DATE_FORMAT


def _activity(sheet: Worksheet, data: ReportData, start: date, end: date) -> None:
    """Questions, tickets, broadcasts and subscribers: the numbers beside the events."""
    a = data.activity
    assert a is not None
    sheet.append([f"Вопросы, обращения и рассылки {period_label(start, end)}"])
    sheet["A1"].font = Font(bold=True, size=13)
    rows: list[tuple[str, Any]] = [
        ("Вопросов боту", a.questions),
        ("бот ответил сам", a.answered),
        ("бот предложил статьи на выбор", a.suggested),
        ("бот не понял", a.not_understood),
        ("Передано специалистам (обращений)", a.tickets),
        ("из них специалист ответил", a.tickets_answered),
        ("Медиана времени до первого ответа специалиста, ч:мм", a.median_first_answer),
        ("Рассылок (начаты в периоде)", a.broadcasts),
        ("Доставлено сообщений", a.sent),
        ("Не доставлено: заблокировали бота", a.blocked),
        ("Не доставлено: ошибки", a.failed),
        ("Нажали «Ознакомлен»", a.acknowledged),
    ]
    for label, value in rows:
        sheet.append([label, value if value is not None else "—"])
        if isinstance(value, timedelta):
            sheet.cell(row=sheet.max_row, column=2).number_format = "[h]:mm"
    sheet.append([])
    sheet.append(["Подписчики рассылок", "Сейчас", "Подписались в периоде"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for s in a.subscribers:
        sheet.append([CHANNEL_TITLES.get(s.channel, s.channel), s.subscribers, s.joined])
    sheet.column_dimensions["A"].width = 55
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 24


def build_report_xlsx(data: ReportData, start: date, end: date, moc_name: str) -> bytes:
    """Sheets «Сводка», «По видам», «По организациям», «По месяцам» (registrations by the
    month they were made, with a bar chart), «Проведено» (by month and quarter),
    «Мероприятия» (one line each) and, when counted, «Вопросы и рассылки»."""
    book = Workbook()
    summary = book.active
    assert isinstance(summary, Worksheet)
    summary.title = "Сводка"
    _summary(summary, data, start, end, moc_name)
    _by_kind(book.create_sheet("По видам"), data)
    _by_organisation(book.create_sheet("По организациям"), data)
    _by_month(book.create_sheet("По месяцам"), data)
    _held(book.create_sheet("Проведено"), data)
    _events(book.create_sheet("Мероприятия"), data)
    if data.activity is not None:
        _activity(book.create_sheet("Вопросы и рассылки"), data, start, end)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
