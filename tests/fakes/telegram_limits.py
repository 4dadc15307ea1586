"""The fake server's update queue (getUpdates offsets and long polls) and the refusals a test
plans: blocked chats, migrations, injected failures, Telegram's flood limits (429)."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_model import (
    OPT_IN_UPDATES,
    ApiError,
    JsonDict,
    update_type,
)

# --------------------------------------------------------------------------- update queue


class UpdateQueue:
    """getUpdates semantics: offsets acknowledge, long polls wait, a second poller conflicts."""

    def __init__(self) -> None:
        self.pending: list[JsonDict] = []
        self.allowed: frozenset[str] | None = None
        self.delivered_upto = 0
        self._next_id = 1
        self._waiter: asyncio.Future[str] | None = None

    def push(self, update: JsonDict) -> JsonDict:
        update.setdefault("update_id", self._next_id)
        self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        self.pending.append(update)
        self.wake("update")
        return update

    def wake(self, reason: str) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(reason)

    def undelivered(self) -> int:
        return sum(
            1 for u in self.pending if u["update_id"] > self.delivered_upto and self._allows(u)
        )

    async def poll(self, params: JsonDict, *, closing: bool) -> list[JsonDict]:
        self.wake("conflict")  # Telegram terminates the older long poll
        self._acknowledge(params.get("offset"))
        if isinstance(params.get("allowed_updates"), list):
            self.allowed = frozenset(params["allowed_updates"]) or None
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        batch = self._ready(limit)
        if not batch and not closing and float(params.get("timeout") or 0) > 0:
            await self._wait(float(params["timeout"]))
            batch = self._ready(limit)
        if batch:
            self.delivered_upto = max(self.delivered_upto, batch[-1]["update_id"])
        return batch

    def _allows(self, update: JsonDict) -> bool:
        kind = update_type(update)
        return kind not in OPT_IN_UPDATES if self.allowed is None else kind in self.allowed

    def _acknowledge(self, offset: Any) -> None:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset == 0:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def _ready(self, limit: int) -> list[JsonDict]:
        # Updates of types the bot did not ask for are never delivered, as on Telegram.
        self.pending = [u for u in self.pending if self._allows(u)]
        return self.pending[:limit]

    async def _wait(self, seconds: float) -> None:
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            return
        finally:
            if self._waiter is waiter:
                self._waiter = None
        if waiter.result() == "conflict":
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    method: str
    error: ApiError
    remaining: int
    chat_id: int | None
    matching: str | None = None  # only a call whose text (or caption) holds this


@dataclass
class _Bucket:
    """Token bucket: ``capacity`` sends at once, refilled at ``per_second``."""

    capacity: float
    per_second: float
    tokens: float
    stamp: float

    @classmethod
    def allowing(cls, amount: float, window: float) -> _Bucket:
        if amount <= 0:
            raise ValueError("rate limits must be positive (or None for no limit)")
        capacity = max(1.0, amount)
        return cls(capacity, amount / window, capacity, time.monotonic())

    def ready(self, now: float, need: float = 1.0) -> bool:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        self.stamp = now
        return self.tokens >= min(need, self.capacity)


class RateLimits:
    """Telegram's flood limits: global per second, per chat per second (with a small burst
    for private chats), per group per minute. A refused send gets 429 with `retry_after`
    (fixed, or with ``retry_after=None`` the whole seconds until the limit frees up, as
    Telegram does); a send into a chat before its retry_after has passed is refused again and
    counted as an early retry (``stats["early_retry"]``)."""

    def __init__(
        self,
        global_ps: float | None,
        chat_ps: float | None,
        group_pm: float | None,
        retry: int | None,
        private_burst: int = 1,
        global_burst: int | None = None,
    ) -> None:
        self._global = _Bucket.allowing(global_ps, 1.0) if global_ps is not None else None
        if self._global is not None and global_burst is not None:
            self._global.capacity = self._global.tokens = float(global_burst)
        self._chat_ps = chat_ps
        self._private_burst = private_burst
        self._group_pm = group_pm
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Bucket] = {}
        self.retry_after = retry
        self._chat_until: dict[int, float] = {}
        self._global_until = 0.0

    def check(self, chat_id: int, stats: Counter[str], count: int = 1) -> None:
        """`count`: the messages of the request (a media group's files each count, as
        Telegram counts them; a bucket smaller than the album takes it when full)."""
        now = time.monotonic()
        until = self._chat_until.get(chat_id, 0.0)
        if now < until:  # this chat was told to wait: an early retry
            stats["early_retry"] += 1
            raise self._refusal(math.ceil(until - now))
        if now < self._global_until:  # the bot was told to wait; this chat was not
            stats["429_global"] += 1
            raise self._refusal(math.ceil(self._global_until - now))
        scoped = [
            ("global", self._global),
            ("group" if chat_id < 0 else "private", self._chat(chat_id)),
            ("group", self._group(chat_id)),
        ]
        buckets = [(scope, b) for scope, b in scoped if b is not None]
        failed = [(scope, b) for scope, b in buckets if not b.ready(now, count)]
        if not failed:
            for _, bucket in buckets:
                bucket.tokens -= min(float(count), bucket.capacity)
            return
        scope, bucket = failed[0]
        stats[f"429_{scope}"] += 1
        wait = self.retry_after
        if wait is None:
            wait = max(1, math.ceil((1.0 - bucket.tokens) / bucket.per_second))
        if scope == "global":
            self._global_until = now + wait
        self._chat_until[chat_id] = now + wait
        raise self._refusal(wait)

    @staticmethod
    def _refusal(wait: int) -> ApiError:
        return ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _chat(self, chat_id: int) -> _Bucket | None:
        if self._chat_ps is None:
            return None
        if chat_id not in self._chats:
            bucket = _Bucket.allowing(self._chat_ps, 1.0)
            if chat_id > 0 and self._private_burst > 1:
                bucket.capacity = bucket.tokens = float(self._private_burst)
            self._chats[chat_id] = bucket
        return self._chats[chat_id]

    def _group(self, chat_id: int) -> _Bucket | None:
        if self._group_pm is None or chat_id > 0:
            return None
        return self._groups.setdefault(chat_id, _Bucket.allowing(self._group_pm, 60.0))


def is_send(method: str) -> bool:
    if method.startswith("send"):
        return method != "sendchataction"
    return method in ("copymessage", "copymessages", "forwardmessage", "forwardmessages")


def _writes_to_chat(method: str) -> bool:
    return method.startswith(("send", "copy", "forward", "edit", "pin", "unpin"))


class FaultPlan:
    """Everything hostile the test asked for, checked before a method runs."""

    def __init__(self) -> None:
        self.blocked: set[int] = set()
        self.left: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.injected: list[Fault] = []
        self.limits: RateLimits | None = None
        self.stats: Counter[str] = Counter()  # the server's own, shared with it

    def check(
        self, method: str, chat_id: int | None, chat_type: str, text: str = "", count: int = 1
    ) -> None:
        self._injected(method, chat_id, text)
        if chat_id is None:
            return
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if not _writes_to_chat(method):
            return
        if chat_id in self.blocked:
            reason = (
                "blocked by the user"
                if chat_type == "private"
                else f"kicked from the {chat_type} chat"
            )
            raise ApiError(403, f"Forbidden: bot was {reason}")
        if chat_id in self.left:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat_type} chat")
        if self.limits is not None and is_send(method):
            self.limits.check(chat_id, self.stats, count)

    def _injected(self, method: str, chat_id: int | None, text: str) -> None:
        for fault in self.injected:
            if (
                fault.method == method
                and fault.chat_id in (None, chat_id)
                and (fault.matching is None or fault.matching in text)
            ):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.injected.remove(fault)
                raise fault.error
