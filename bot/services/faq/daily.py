"""Questions per local day by what the bot did with them (the panel's «Сводка» chart)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.repositories.activity import NOT_UNDERSTOOD  # the yearly report's, alike


@dataclass
class DayCounts:
    day: date
    answered: int = 0
    suggested: int = 0
    not_understood: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.suggested + self.not_understood


def per_day(
    rows: Iterable[tuple[datetime, str]], tz: ZoneInfo, today: date, days: int
) -> list[DayCounts]:
    """`days` consecutive local days ending today, oldest first, empty days included;
    small talk is not a question and is left out."""
    first = today - timedelta(days=days - 1)
    found = {first + timedelta(days=i): DayCounts(first + timedelta(days=i)) for i in range(days)}
    for created, outcome in rows:
        bucket = found.get(created.astimezone(tz).date())
        if bucket is None:
            continue
        if outcome == "answer":
            bucket.answered += 1
        elif outcome == "suggest":
            bucket.suggested += 1
        elif outcome in NOT_UNDERSTOOD:
            bucket.not_understood += 1
    return list(found.values())
