"""The period report for /report in either messenger and the panel's «Отчёт»: the period (the
academic year when none is named), the numbers for it and the Excel workbook with its caption,
as a file to send or download."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from bot.core import dates
from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import OutFile
from bot.services.reports.yearly import build_report_xlsx, period_label
from bot.texts import events_admin as t
from storage.repositories import Repositories
from storage.repositories.activity import ActivityRepo
from storage.repositories.reports import ReportData, ReportRepo
from storage.repositories.staff import owner_ids

# «2025-2026», «за 2025/2026 учебный год», «2025-2026 уч. г.», «2025–2026 гг.»; «2025/26» is
# not taken: a year of two digits reads as a day
_YEARS: Final = re.compile(
    r"(?:за )?(\d{4})\s?[-–—/]\s?(\d{4})(?:\s?(?:учебный год|уч\.\s?г(?:од|\.)?|гг\.?))?",
    re.IGNORECASE,
)
# «2026», «2026 год», «за 2026 г.», «2026г.»: the calendar year a municipality's form asks for
_YEAR: Final = re.compile(r"(?:за )?(\d{4})(?:\s?(?:год|г)\.?)?", re.IGNORECASE)
# between two days: a dash with spaces around it, a long dash, «по», «до»;
# «01.09.2025-31.08.2026»
_RANGE: Final = re.compile(r" [-–—] |\s?[–—]\s?| по | до |(?<=\.\d{4})-(?=\d)")
# a form's period longer than this is a slip (a year typed wrong), not a report anyone files
MAX_PERIOD_YEARS: Final = 5
Period = tuple[date, date]  # first and last day, both inclusive


def academic_year(today: date) -> tuple[date, date]:
    """1 September – 31 August around `today`."""
    first_year = today.year if today.month >= 9 else today.year - 1
    return date(first_year, 9, 1), date(first_year + 1, 8, 31)


def period_refusal(first: date, last: date) -> str | None:
    """Why no report is made for these days (Telegram HTML), or None. The one rule for the
    panel's form, /report in either messenger and `python -m bot report`."""
    if last < first:
        return t.PERIOD_REVERSED
    if last >= _years_after(first, MAX_PERIOD_YEARS):
        return fill(t.PERIOD_TOO_LONG, years=MAX_PERIOD_YEARS)
    return None


def report_period(args: str | None, today: date) -> Period | str:
    """/report's arguments → the period, or what to say instead (Telegram HTML). Nothing: the
    academic year; «2025-2026»: that academic year; «2026»: that calendar year; two days as
    the panel's form reads them («01.09.2025 31.08.2026», «2025-09-01 2026-08-31»,
    «01.09.2025–31.08.2026», «1 сентября 2025 по 31 августа 2026»), refused by the same rule
    and words (`period_refusal`)."""
    typed = " ".join((args or "").split())
    if not typed:
        return academic_year(today)
    if (years := _YEARS.fullmatch(typed)) is not None:
        first_year, last_year = int(years[1]), int(years[2])
        if last_year != first_year + 1 or _slip(first_year, today):
            return t.REPORT_USAGE
        return academic_year(date(first_year, 9, 1))
    if (year := _YEAR.fullmatch(typed)) is not None:
        if _slip(int(year[1]), today):
            return t.REPORT_USAGE
        return date(int(year[1]), 1, 1), date(int(year[1]), 12, 31)
    parts = _RANGE.split(typed.removeprefix("с "), maxsplit=1)
    if len(parts) != 2:
        parts = typed.split(" ")
    if len(parts) != 2:
        return t.REPORT_USAGE
    days, problems = _read_days(dict(zip(("first", "last"), parts, strict=True)), today)
    if problems:
        said = (t.REPORT_DAY[name].format(problem=problem) for name, problem in problems.items())
        return "\n".join(said) + "\n\n" + t.REPORT_USAGE
    first, last = days["first"], days["last"]
    return period_refusal(first, last) or (first, last)


def _slip(year: int, today: date) -> bool:
    """0026, 0000, 9999: a year typed wrong, as a typed day's year is (bot.core.dates)."""
    return abs(year - today.year) > dates.MAX_YEARS_AHEAD


def _read_days(typed: dict[str, str], today: date) -> tuple[dict[str, date], dict[str, str]]:
    """Each named typed day ("first", "last") read, or what is wrong with it."""
    days: dict[str, date] = {}
    problems: dict[str, str] = {}
    for name, text in typed.items():
        try:
            days[name] = dates.parse_local_date(text, today)
        except dates.DateParseError as exc:
            problems[name] = str(exc)
    return days, problems


def read_period(first: str, last: str, today: date) -> tuple[Period | None, dict[str, str]]:
    """Two typed days (a form's «с» and «по», both inclusive) → the period, or what is wrong
    by field ("first", "last"; Telegram HTML). Both empty: the academic year, as /report; the
    whole period in «с» and «по» empty («01.09.2025–31.05.2026», «2026», «2025-2026»): read
    as /report reads it."""
    if not first.strip() and not last.strip():
        return academic_year(today), {}
    if not last.strip() and not isinstance(whole := report_period(first, today), str):
        return whole, {}
    typed = {"first": first, "last": last}
    empty = {name: t.PERIOD_EMPTY for name, text in typed.items() if not text.strip()}
    days, problems = _read_days({n: v for n, v in typed.items() if n not in empty}, today)
    if empty or problems:
        return None, {**empty, **problems}
    start, end = days["first"], days["last"]
    if (refusal := period_refusal(start, end)) is not None:
        return None, {"last": refusal}
    return (start, end), {}


def _years_after(day: date, years: int) -> date:
    """The same day `years` later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


async def report_data(
    repo: Repositories, settings: Settings, first: date, last: date, now: datetime
) -> ReportData:
    """The numbers for what met on `first`…`last` in the МОЦ's zone (a series in each year
    it met in, storage.repositories.report_scope); attendance is rated over events already
    over at `now`. Questions, tickets and broadcasts of the same days beside them; staff's
    own questions and tickets left out (their tests), as the subscribers leave staff out."""
    tz = settings.tz
    start = datetime.combine(first, time(), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    data = await ReportRepo(repo.session).collect(start, end, tz=tz, now=now)
    owners, _ = await owner_ids(repo.session, settings.admin_ids, settings.max_admin_ids)
    activity = await ActivityRepo(repo.session).collect(start, end, owners)
    return replace(data, activity=activity)


def report_file(data: ReportData, first: date, last: date, settings: Settings) -> OutFile:
    """The workbook /report sends, under the same file name."""
    name = t.FILE_REPORT.format(first=first.isoformat(), last=last.isoformat())
    return OutFile(name, build_report_xlsx(data, first, last, settings.moc_name))


@dataclass(frozen=True)
class PeriodReport:
    file: OutFile
    caption: str  # HTML, values escaped


async def period_report(
    repo: Repositories, settings: Settings, args: str | None, now: datetime
) -> PeriodReport | str:
    """The workbook for the period `args` name, or what to say instead (Telegram HTML): how
    to name a period, or why this one gets no report."""
    tz = settings.tz
    period = report_period(args, now.astimezone(tz).date())
    if isinstance(period, str):  # how to name a period, or why this one gets no report
        return period
    first, last = period
    data = await report_data(repo, settings, first, last, now)
    totals = data.totals
    caption = fill(
        t.REPORT_CAPTION, period=period_label(first, last), events=totals.events,
        registrations=totals.registrations, people=totals.unique_participants,
        attended=totals.attended,
        documents=data.activity.documents_issued if data.activity else 0,
    )  # fmt: skip
    if totals.planned:
        caption += fill(t.REPORT_PLANNED, planned=totals.planned)
    return PeriodReport(report_file(data, first, last, settings), caption)
