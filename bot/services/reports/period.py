"""/report in either messenger: the period of the command's words (the academic year when
none), the numbers for it and the Excel workbook with its caption, as a file to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import OutFile
from bot.services.reports.yearly import build_report_xlsx, period_label
from bot.texts import events_admin as t
from storage.repositories import Repositories
from storage.repositories.reports import ReportRepo


def academic_year(today: date) -> tuple[date, date]:
    """1 September – 31 August around `today`."""
    first_year = today.year if today.month >= 9 else today.year - 1
    return date(first_year, 9, 1), date(first_year + 1, 8, 31)


def report_period(args: str | None, today: date) -> tuple[date, date]:
    """Both days inclusive; ValueError for anything but nothing or two ISO dates in order."""
    parts = (args or "").split()
    if not parts:
        return academic_year(today)
    if len(parts) != 2:
        raise ValueError("two dates expected")
    first, last = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
    if last < first:
        raise ValueError("the period ends before it starts")
    return first, last


@dataclass(frozen=True)
class PeriodReport:
    file: OutFile
    caption: str  # HTML, values escaped


async def period_report(
    repo: Repositories, settings: Settings, args: str | None, now: datetime
) -> PeriodReport | None:
    """The workbook for the period `args` name; None when they name none (say REPORT_USAGE)."""
    tz = settings.tz
    try:
        first, last = report_period(args, now.astimezone(tz).date())
    except ValueError:
        return None
    start = datetime.combine(first, time(), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    data = await ReportRepo(repo.session).collect(start, end, tz=tz)
    totals = data.totals
    caption = fill(
        t.REPORT_CAPTION, period=period_label(first, last), events=totals.events,
        registrations=totals.registrations, people=totals.unique_participants,
        attended=totals.attended,
    )  # fmt: skip
    name = t.FILE_REPORT.format(first=first.isoformat(), last=last.isoformat())
    workbook = build_report_xlsx(data, first, last, settings.moc_name)
    return PeriodReport(OutFile(name, workbook), caption)
