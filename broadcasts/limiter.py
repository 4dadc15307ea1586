"""A rate limiter shaped like Telegram's flood limits, so a broadcast never meets a 429.

Telegram allows a bot about 30 messages a second overall, one a second into one chat and 20 a
minute into one group. We pace sends at `rate` (25/s by default: headroom for the bot's
replies to users, which do not pass through here) with strictly spaced slots instead of a
bucket, because a burst is what trips Telegram's counter. If a 429 comes anyway (another
process shares the token, or Telegram is stricter today) the limiter pauses everyone for the
`retry_after` and halves its rate, then climbs back linearly (AIMD, as TCP does).

Single event loop, no locks: a slot is reserved synchronously (no await between reading and
writing the schedule), then the caller sleeps until it. Time comes from an injected monotonic
clock and sleep, so tests run the shapes without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]
GROUP_WINDOW = 60.0
PRUNE_EVERY = 1024


@dataclass(frozen=True)
class _Slot:
    at: float
    chat_id: int
    previous_chat_next: float | None


class RateLimiter:
    def __init__(
        self,
        rate: float = 25.0,
        *,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        min_rate: float = 1.0,
        recovery_per_second: float = 0.25,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or min_rate <= 0 or group_per_minute < 1:
            raise ValueError("rates must be positive")
        self.max_rate, self.min_rate = rate, min(min_rate, rate)
        self._per_chat, self._group_max = per_chat_interval, group_per_minute
        self._recovery, self._clock, self._sleep = recovery_per_second, clock, sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._cut_rate = rate  # the rate right after the last 429, climbing from _paused_until
        self._chat_next: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self._reservations = 0

    def rate(self, now: float | None = None) -> float:
        """The current pace: the configured rate, or less while recovering from a 429."""
        now = self._clock() if now is None else now
        climbed = self._cut_rate + max(0.0, now - self._paused_until) * self._recovery
        return min(self.max_rate, climbed)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may go out; the slot is then spent."""
        while True:
            now = self._clock()
            ready_at = max(self._chat_ready(chat_id, now), self._paused_until)
            if ready_at > now:
                await self._sleep(ready_at - now)
                continue
            slot = self._reserve(chat_id, now)
            if slot.at > now:
                await self._sleep(slot.at - now)
            if self._paused_until <= slot.at:
                return
            self._release(slot)  # a 429 arrived while we waited: queue again after the pause

    def on_retry_after(self, seconds: float) -> None:
        """Telegram said 429: everyone waits `seconds`; the rate is halved once per flood."""
        now = self._clock()
        if now >= self._paused_until:  # the first 429 of this flood, not an echo of it
            self._cut_rate = max(self.min_rate, self.rate(now) / 2)
        self._paused_until = max(self._paused_until, now + max(seconds, 0.0))
        self._next_slot = max(self._next_slot, self._paused_until)

    def _chat_ready(self, chat_id: int, now: float) -> float:
        ready = self._chat_next.get(chat_id, now)
        sent = self._group_sent.get(chat_id)
        if chat_id < 0 and sent is not None:
            while sent and sent[0] <= now - GROUP_WINDOW:
                sent.popleft()
            if len(sent) >= self._group_max:
                ready = max(ready, sent[0] + GROUP_WINDOW)
        return ready

    def _reserve(self, chat_id: int, now: float) -> _Slot:
        at = max(now, self._next_slot)
        self._next_slot = at + 1.0 / self.rate(at)
        slot = _Slot(at, chat_id, self._chat_next.get(chat_id))
        self._chat_next[chat_id] = at + self._per_chat
        if chat_id < 0:
            self._group_sent.setdefault(chat_id, deque()).append(at)
        self._reservations += 1
        if self._reservations % PRUNE_EVERY == 0:
            self._prune(now)
        return slot

    def _release(self, slot: _Slot) -> None:
        if slot.previous_chat_next is None:
            self._chat_next.pop(slot.chat_id, None)
        else:
            self._chat_next[slot.chat_id] = slot.previous_chat_next
        sent = self._group_sent.get(slot.chat_id)
        if sent is not None and slot.at in sent:
            sent.remove(slot.at)

    def _prune(self, now: float) -> None:
        """Forget chats whose limits no longer bind, so a long-lived limiter stays small."""
        for chat_id in [c for c, t in self._chat_next.items() if t <= now]:
            del self._chat_next[chat_id]
        for chat_id, sent in list(self._group_sent.items()):
            if not sent or sent[-1] <= now - GROUP_WINDOW:
                del self._group_sent[chat_id]
