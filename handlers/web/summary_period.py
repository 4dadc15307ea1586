"""The period «Сводка» counts: rolling windows by default, or a calendar year or a school year
(1 September – 31 August) as /report reads them («2026», «2025-2026»), for a methodist who
fills the yearly form from the panel."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.services.faq.daily import DayCounts
from bot.services.reports.period import academic_year, report_period
from bot.services.reports.yearly import month_label, period_label

_CHOSEN: Final = re.compile(r"\d{4}(?:-\d{4})?")


@dataclass(frozen=True)
class Span:
    typed: str  # "2026" or "2025-2026": the form's value and /report's words
    first: date  # both days inclusive, in the МОЦ's zone
    last: date
    start: datetime  # UTC bounds: start <= moment < end
    end: datetime

    @property
    def label(self) -> str:
        kind = "учебный год" if "-" in self.typed else "год"
        return f"{self.typed.replace('-', '/')} {kind} ({period_label(self.first, self.last)})"


def chosen(typed: str, today: date, tz: ZoneInfo) -> Span | None:
    """The year the form names, or None (the rolling windows) for nothing or anything else."""
    if not _CHOSEN.fullmatch(typed):
        return None
    period = report_period(typed, today)
    if isinstance(period, str):  # «2026-2028», «9999»: not a year /report reads
        return None
    first, last = period
    start = datetime.combine(first, time(), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    return Span(typed, first, last, start, end)


def period_choices(today: date) -> list[tuple[str, str]]:
    """(value, label): the rolling windows, this and last calendar year, this and last school
    year."""
    school = academic_year(today)[0].year
    return [
        ("", "Последние дни (14, 30 и 90)"),
        (str(today.year), f"{today.year} год"),
        (str(today.year - 1), f"{today.year - 1} год"),
        (f"{school}-{school + 1}", f"{school}/{school + 1} учебный год"),
        (f"{school - 1}-{school}", f"{school - 1}/{school} учебный год"),
    ]


def spans_for(span: Span | None, windows: tuple[int, int, int, int]) -> dict[str, str]:
    """What each part of the page counts over: «за 14 дней»… or the chosen year for all."""
    parts = ("questions", "topics", "tickets", "broadcasts")
    if span is not None:
        return dict.fromkeys(parts, f"за {span.label}")
    return {part: f"за {days} дней" for part, days in zip(parts, windows, strict=True)}


def per_month(days: list[DayCounts]) -> list[tuple[str, int]]:
    """Questions by local month, in order, empty months included: a year is too many days for
    a bar each."""
    totals: Counter[tuple[int, int]] = Counter()
    for d in days:
        totals[(d.day.year, d.day.month)] += d.total
    return [(month_label(year, month), n) for (year, month), n in totals.items()]
