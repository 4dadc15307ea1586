"""One pace for everything the MAX adapter sends: MAX_RATE messages a second for the bot, and
about two a second into one chat (the POST /messages page; a faster chat gets 429s).

A slot is a point in time handed out in order, so waiting senders never spin. Replies to
people (`reserve`) queue for the next slot; a broadcast (`acquire_spare`) takes only a slot
nobody has reserved, so it uses what people leave unused.

A 429 from MAX says nothing about whose limit it was nor for how long (dev.max.ru: 30
requests a second per bot; the answer is `{"code": "too.many.requests", ...}` with no retry
hint), and in a storm every chat meets it: pausing only that chat would let the rest go on at
full pace and keep MAX refusing everyone. So any 429 (`slow_down`) halves the whole bot's pace
— at most once a second, the other refusals of the same spell are its echo — which then climbs
back linearly (AIMD, as the Telegram limiter does).

With `shared` (REDIS_URL), the bot's budget is reserved in Redis too, so the webhook
instances and the separate `worker` together keep MAX_RATE, and a broadcast in one process
still yields to people answered by another (bot/core/shared_budget.py). Without it each
process keeps its own pace (set MAX_RATE to its share)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Final, Protocol

from bot.core.shared_budget import Mode

PER_CHAT_INTERVAL: Final = 0.5  # seconds between two messages into one chat
FORGET_AFTER: Final = 60.0  # a chat quiet for a minute is dropped from the table
MIN_RATE: Final = 1.0  # a storm slows the bot down to this, never to a stop
RECOVERY: Final = 0.5  # messages a second regained each second after a 429
ECHO: Final = 1.0  # seconds in which further 429s are the same spell, not a new cut


class SharedPace(Protocol):
    """The bot's budget shared by processes (bot/core/shared_budget.py)."""

    async def take(self, step: float, mode: Mode) -> float: ...


class MaxPacer:
    def __init__(
        self,
        rate: float,
        *,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        shared: SharedPace | None = None,
    ) -> None:
        self.max_rate = rate
        self._per_chat = per_chat_interval
        self._clock, self._sleep, self._shared = clock, sleep, shared
        self._cut_rate, self._cut_at = rate, -1e9
        self._next = 0.0
        self._next_in: dict[int, float] = {}

    def rate(self, now: float | None = None) -> float:
        """The pace now: MAX_RATE, or less while climbing back after a 429."""
        now = self._clock() if now is None else now
        climbed = self._cut_rate + max(0.0, now - self._cut_at) * RECOVERY
        return min(self.max_rate, climbed)

    def slow_down(self) -> None:
        """MAX answered 429: the whole bot halves its pace (once per spell)."""
        now = self._clock()
        if now - self._cut_at < ECHO:
            return
        self._cut_rate = max(min(MIN_RATE, self.max_rate), self.rate(now) / 2)
        self._cut_at = now
        self._next = max(self._next, now + 1.0 / self._cut_rate)

    def reserve(self, chat_id: int) -> float:
        """Take the next free slot for `chat_id`; the seconds to wait until it."""
        now = self._clock()
        at = max(now, self._next, self._next_in.get(chat_id, 0.0))
        self._next = at + 1.0 / self.rate(at)
        self._next_in[chat_id] = at + self._per_chat
        if len(self._next_in) > 10_000:
            self._next_in = {k: v for k, v in self._next_in.items() if v > now - FORGET_AFTER}
        return at - now

    async def take(self, chat_id: int) -> float:
        """`reserve`; with a shared budget, after this process's slot also one of the shared
        budget. The seconds still to wait."""
        wait = self.reserve(chat_id)
        if self._shared is None:
            return wait
        if wait > 0:
            await self._sleep(wait)
        return max(0.0, await self._shared.take(1.0 / self.rate(), "people"))

    async def acquire(self, chat_id: int) -> None:
        wait = await self.take(chat_id)
        if wait > 0:
            await self._sleep(wait)

    async def acquire_spare(self, chat_id: int) -> None:
        """A slot nobody else has taken: waits while replies to people and reminders hold the
        pace, so a broadcast only uses what they leave unused and the two together never
        exceed MAX_RATE (with `shared`: in every process together)."""
        while True:
            now = self._clock()
            at = max(now, self._next, self._next_in.get(chat_id, 0.0))
            if at > now:
                await self._sleep(at - now)
                continue
            if self._shared is not None:
                busy = await self._shared.take(1.0 / self.rate(now), "spare")
                if busy < 0:  # another process has people waiting, or reserved the next slot
                    await self._sleep(-busy)
                    continue
                if busy > 0:  # cannot happen for a spare slot; kept honest all the same
                    await self._sleep(busy)
            self.reserve(chat_id)
            return
