"""A rate limiter shaped like Telegram's flood limits, serving senders by priority.

Telegram allows a bot about 30 messages a second overall, about one a second into one private
chat (a short burst passes) and 20 a minute into one group. Everything the bot sends waits
here for a slot: slots are strictly spaced at `rate` (a burst is what trips Telegram's
counter), and each slot goes to the most urgent waiter whose chat may receive now — a person
waiting for an answer, then staff-chat posts, then notices and reminders, then broadcasts.
Broadcasts therefore use what people leave unused and yield the moment people write; a floor
(`floor_rate`) still hands the less urgent classes a slot now and then, so they never starve.

A 429 pauses the chat it came from when our own counts say that chat was busy (the per-chat
or per-group limit), otherwise everyone (the global limit), for `retry_after`; a global 429
also halves the rate, which then climbs back linearly (AIMD, as TCP does).

Single event loop, no locks: one pump task hands out slots while anyone waits. Time comes from
an injected monotonic clock and sleep, so tests run the shapes without waiting. A slot granted
by `acquire` is remembered in the caller's context, so the Bot's outbound middleware does not
make the same send wait twice (see `take_grant`).
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from bot.core.shared_budget import Mode

log = logging.getLogger(__name__)
Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]
# takes a slot of the budget shared by instances (bot/core/shared_budget.py) in a mode
# ("people", "spare", "turn"): seconds to wait for it, negative for a spare one refused
Gate = Callable[[Mode], Awaitable[float]]
GROUP_WINDOW = 60.0
PRUNE_EVERY = 1024
IDLE_POLL = 0.05  # while every waiter's chat is still cooling down
EPS = 1e-9


class Priority(IntEnum):
    """Lower is served first."""

    PERSON = 0  # an answer, a confirmation, an apology: someone is waiting for it
    STAFF = 1  # posts into the staff chat
    NOTICE = 2  # reminders, an event's change or cancellation
    BROADCAST = 3  # announcements


# who is sending in this task: handlers leave the default, background jobs set their own
current_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "outbound_priority", default=Priority.PERSON
)
_granted: contextvars.ContextVar[int | None] = contextvars.ContextVar("granted", default=None)


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    chat_id: int = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)
    counted: bool = field(compare=False, default=True)  # False: an edit, no per-chat token
    cost: int = field(compare=False, default=1)  # messages the send is: an album's files


class RateLimiter:
    def __init__(
        self,
        rate: float = 25.0,
        *,
        per_chat_interval: float = 1.0,
        private_burst: int = 1,
        group_per_minute: int = 20,
        min_rate: float = 1.0,
        recovery_per_second: float = 0.25,
        floor_rate: float = 0.0,
        gate: Gate | None = None,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or min_rate <= 0 or group_per_minute < 1 or private_burst < 1:
            raise ValueError("rates must be positive")
        self.max_rate, self.min_rate = rate, min(min_rate, rate)
        self._per_chat, self._group_max = per_chat_interval, group_per_minute
        self._tolerance = (private_burst - 1) * per_chat_interval  # GCRA burst tolerance
        self._recovery, self._clock, self._sleep = recovery_per_second, clock, sleep
        self._floor_gap = 1.0 / floor_rate if floor_rate > 0 else None
        self._gate = gate
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._cut_rate = rate  # the rate right after the last 429, climbing from _paused_until
        self._tat: dict[int, float] = {}  # chat → theoretical arrival time of its next send
        self._chat_paused: dict[int, float] = {}  # chat → end of its 429 pause
        self._last_sent: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self._waiters: list[_Waiter] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self._last_background = -1e9  # last slot given to a class above STAFF
        self._grants = 0

    def rate(self, now: float | None = None) -> float:
        """The current pace: the configured rate, or less while recovering from a 429."""
        now = self._clock() if now is None else now
        climbed = self._cut_rate + max(0.0, now - self._paused_until) * self._recovery
        return min(self.max_rate, climbed)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def depth(self) -> dict[Priority, int]:
        """Waiters by priority, for /metrics."""
        counts = dict.fromkeys(Priority, 0)
        for waiter in self._waiters:
            counts[Priority(waiter.priority)] += 1
        return counts

    async def acquire(
        self,
        chat_id: int,
        priority: Priority = Priority.BROADCAST,
        *,
        within: float | None = None,
        counted: bool = True,
        cost: int = 1,
    ) -> None:
        """Wait until a message to `chat_id` may go out; the slot is then spent.

        With `within` (seconds), TimeoutError if no slot came in time (nothing was spent).
        `counted=False` (an edit of a message) takes a global slot and respects the chat's 429
        pause, but not the per-chat message limits, which Telegram counts for new messages.
        `cost`: how many messages the one send is to Telegram's global limit (a media group of
        N files is N): the next slot, whoever's, comes that many slots later. The chat's own
        spacing counts it once (an album arrives in its chat at once)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(int(priority), next(self._seq), chat_id, future, counted, max(1, cost))
        self._waiters.append(waiter)
        self._start_pump()
        try:
            if within is None:
                await future
            else:
                await asyncio.wait_for(asyncio.shield(future), within)
        except TimeoutError:
            if not future.done():
                future.cancel()
                self._forget(waiter)
                raise
        except asyncio.CancelledError:
            future.cancel()  # a slot granted just now is lost, never sent twice
            self._forget(waiter)
            raise
        _granted.set(chat_id)

    def _forget(self, waiter: _Waiter) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)

    def take_grant(self, chat_id: int) -> bool:
        """True once if this task's last `acquire` was for `chat_id` and is not used yet."""
        if _granted.get() == chat_id:
            _granted.set(None)
            return True
        return False

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until `chat_id` may receive again as far as its own limits go."""
        now = self._clock()
        return max(0.0, self._chat_ready(chat_id, now) - now, self._paused_until - now)

    def pause_chat(self, seconds: float, chat_id: int) -> None:
        """Nothing more to `chat_id` for `seconds`; the others keep their pace (a MAX 429)."""
        now = self._clock()
        self._tat[chat_id] = max(self._tat.get(chat_id, now), now + max(seconds, 0.0))
        self._chat_paused[chat_id] = max(self._chat_paused.get(chat_id, 0.0), now + seconds)

    def on_retry_after(self, seconds: float, chat_id: int | None = None) -> str:
        """Telegram said 429; returns the scope we blame: "private", "group" or "global"."""
        now, seconds = self._clock(), max(seconds, 0.0)
        scope = self._blame(chat_id, now)
        if chat_id is not None:
            until = now + seconds + (self._tolerance if chat_id > 0 else 0.0)
            self._tat[chat_id] = max(self._tat.get(chat_id, now), until)
            self._chat_paused[chat_id] = max(self._chat_paused.get(chat_id, 0.0), now + seconds)
        if scope != "global":
            return scope
        if now >= self._paused_until:  # the first 429 of this flood, not an echo of it
            self._cut_rate = max(self.min_rate, self.rate(now) / 2)
        self._paused_until = max(self._paused_until, now + seconds)
        self._next_slot = max(self._next_slot, self._paused_until)
        return scope

    def _blame(self, chat_id: int | None, now: float) -> str:
        if chat_id is None:
            return "global"
        if chat_id < 0:
            sent = self._group_sent.get(chat_id) or ()
            busy = sum(1 for at in sent if at > now - GROUP_WINDOW) >= self._group_max // 2
            return "group" if busy else "global"
        recent = now - self._last_sent.get(chat_id, -1e9) < self._per_chat * 2
        return "private" if recent else "global"

    # ------------------------------------------------------------------ the pump

    def _start_pump(self) -> None:
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._serve())

    async def _serve(self) -> None:
        while self._waiters:
            now = self._clock()
            wait = max(self._next_slot, self._paused_until) - now
            if wait > EPS:
                await self._sleep(wait)
                continue
            self._waiters = [w for w in self._waiters if not w.future.done()]
            pick = self._pick(now)
            if pick is None:
                ready = min((self._ready(w, now) for w in self._waiters), default=now)
                await self._sleep(min(max(ready - now, EPS * 10), IDLE_POLL))
                continue
            if self._gate is not None:
                shared = await self._shared_slot(self._mode(pick, now))
                if shared < 0:  # another instance's people hold the next slot: theirs first
                    await self._sleep(min(-shared, IDLE_POLL))
                    continue
                if shared > 0:
                    await self._sleep(shared)  # the slot is ours in the shared budget: keep it
                    now = self._clock()
                    pick = self._pick(now) or pick
                    if pick.future.done():
                        continue
            self._grant(pick, now)

    def _mode(self, pick: _Waiter, now: float) -> Mode:
        """People and staff posts mark the shared budget «people waiting»; a background send
        (notice, broadcast) takes only a spare slot, so people answered by another instance go
        first; the floor still lets it through in turn."""
        if pick.priority <= Priority.STAFF:
            return "people"
        starving = self._floor_gap is not None and now - self._last_background >= self._floor_gap
        return "turn" if starving else "spare"

    async def _shared_slot(self, mode: Mode) -> float:
        """Seconds until our slot in the budget shared by instances; 0 if it cannot say;
        negative for a spare slot refused: the next may be free in that many seconds."""
        assert self._gate is not None
        try:
            return await self._gate(mode)
        except Exception:  # the pump must never die: waiters would wait forever
            log.exception("shared send budget failed; pacing locally")
            return 0.0

    def _pick(self, now: float) -> _Waiter | None:
        ready = [w for w in self._waiters if self._ready(w, now) <= now + EPS]
        if not ready:
            return None
        best = min(ready)
        starving = self._floor_gap is not None and now - self._last_background >= self._floor_gap
        if starving and best.priority <= Priority.STAFF:
            background = [w for w in ready if w.priority > Priority.STAFF]
            if background:
                return min(background)
        return best

    def _grant(self, waiter: _Waiter, now: float) -> None:
        self._waiters.remove(waiter)
        self._next_slot = now + waiter.cost / self.rate(now)
        chat_id = waiter.chat_id
        if waiter.counted:
            self._tat[chat_id] = max(self._tat.get(chat_id, now), now) + self._per_chat
            self._last_sent[chat_id] = now
            if chat_id < 0:
                self._group_sent.setdefault(chat_id, deque()).append(now)
        if waiter.priority > Priority.STAFF:
            self._last_background = now
        self._grants += 1
        if self._grants % PRUNE_EVERY == 0:
            self._prune(now)
        waiter.future.set_result(None)

    def _ready(self, waiter: _Waiter, now: float) -> float:
        if waiter.counted:
            return self._chat_ready(waiter.chat_id, now)
        return self._chat_paused.get(waiter.chat_id, now)

    def _chat_ready(self, chat_id: int, now: float) -> float:
        tolerance = self._tolerance if chat_id > 0 else 0.0
        ready = self._tat.get(chat_id, now) - tolerance
        sent = self._group_sent.get(chat_id)
        if chat_id < 0 and sent is not None:
            while sent and sent[0] <= now - GROUP_WINDOW:
                sent.popleft()
            if len(sent) >= self._group_max:
                ready = max(ready, sent[0] + GROUP_WINDOW)
        return ready

    def _prune(self, now: float) -> None:
        """Forget chats whose limits no longer bind, so a long-lived limiter stays small."""
        for chat_id in [c for c, t in self._tat.items() if t <= now]:
            del self._tat[chat_id]
            self._last_sent.pop(chat_id, None)
        for chat_id in [c for c, t in self._chat_paused.items() if t <= now]:
            del self._chat_paused[chat_id]
        for chat_id, sent in list(self._group_sent.items()):
            if not sent or sent[-1] <= now - GROUP_WINDOW:
                del self._group_sent[chat_id]
