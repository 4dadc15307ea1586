"""One pace for everything the MAX adapter sends: MAX_RATE messages a second for the bot, and
about two a second into one chat (the POST /messages page; a faster chat gets 429s).

Small and in-process on purpose: a slot is a point in time handed out in order, so waiting
senders never spin; several processes on one bot each keep their own share (set MAX_RATE to
the share)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Final

PER_CHAT_INTERVAL: Final = 0.5  # seconds between two messages into one chat
FORGET_AFTER: Final = 60.0  # a chat quiet for a minute is dropped from the table


class MaxPacer:
    def __init__(
        self,
        rate: float,
        *,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / rate
        self._per_chat = per_chat_interval
        self._clock = clock
        self._next = 0.0
        self._next_in: dict[int, float] = {}

    def reserve(self, chat_id: int) -> float:
        """Take the next free slot for `chat_id`; the seconds to wait until it."""
        now = self._clock()
        at = max(now, self._next, self._next_in.get(chat_id, 0.0))
        self._next = at + self._interval
        self._next_in[chat_id] = at + self._per_chat
        if len(self._next_in) > 10_000:
            self._next_in = {k: v for k, v in self._next_in.items() if v > now - FORGET_AFTER}
        return at - now

    async def acquire(self, chat_id: int) -> None:
        wait = self.reserve(chat_id)
        if wait > 0:
            await asyncio.sleep(wait)

    async def acquire_spare(self, chat_id: int) -> None:
        """A slot nobody else has taken: waits while replies to people and reminders hold the
        pace, so a broadcast in the same process only uses what they leave unused and the two
        together never exceed MAX_RATE."""
        while True:
            now = self._clock()
            at = max(now, self._next, self._next_in.get(chat_id, 0.0))
            if at <= now:
                self.reserve(chat_id)
                return
            await asyncio.sleep(at - now)
