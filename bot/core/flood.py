"""Flood control per person, the same rule on every messenger: a token bucket of `burst`
messages refilled at `rate` a second; past it, one polite note every WARN_EVERY seconds and
otherwise silence. Adapters count a message as it arrives (before any per-person lock), so a
flood is not let through one by one at the pace the bot answers.

With REDIS_URL the bucket lives in Redis (`Buckets`, storage/redis_stamps.py): a person whose
messages reach several webhook instances has one limit and hears one note, not one per
instance. Without Redis, or while it is down, each process keeps its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, Protocol

WARN_EVERY: Final = 10.0  # seconds between two "slow down" notes to the same person
FORGET_ABOVE: Final = 10_000  # people tracked before idle (full) buckets are dropped


class Buckets(Protocol):
    async def bucket(
        self, key: str, rate: float, burst: float, warn_every: float
    ) -> tuple[bool, bool] | None:
        """As `FloodGate.allow` for the bucket `key`; None: the store could not be asked."""
        ...


class FloodGate:
    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        shared: Buckets | None = None,
        name: str = "",
    ) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self.shared, self._prefix = shared, f"moc:flood:{name}:"
        self._buckets: dict[int, tuple[float, float, float]] = {}  # tokens, stamp, warned at

    async def admit(self, person: int) -> tuple[bool, bool]:
        """`allow`, in the shared bucket when there is one and it answers."""
        if self.shared is not None:
            found = await self.shared.bucket(
                f"{self._prefix}{person}", self.rate, self.burst, WARN_EVERY
            )
            if found is not None:
                return found
        return self.allow(person)

    def allow(self, person: int) -> tuple[bool, bool]:
        """(let the message through, say «slow down» now)."""
        now = self.clock()
        tokens, stamp, warned_at = self._buckets.get(person, (self.burst, now, now - WARN_EVERY))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens >= 1:
            self._buckets[person] = (tokens - 1, now, warned_at)
            return True, False
        warn = now - warned_at >= WARN_EVERY
        self._buckets[person] = (tokens, now, now if warn else warned_at)
        if len(self._buckets) > FORGET_ABOVE:  # full buckets carry no state
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
        return False, warn
