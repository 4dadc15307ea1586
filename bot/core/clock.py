"""Where "now" comes from, so time-driven code (reminders) is tested without sleeping.

Production code asks a `Clock`; tests hand it a `FrozenClock` and move time by hand. Every
value is an aware UTC datetime, the same kind the database stores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("FrozenClock needs an aware datetime")
    return value.astimezone(UTC)


class FrozenClock:
    """A clock that stands still until a test moves it with `advance` or `set`."""

    def __init__(self, now: datetime) -> None:
        self._now = _aware_utc(now)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, value: datetime) -> None:
        self._now = _aware_utc(value)
