"""The one outbound path: every Bot API call that writes into a chat waits here for its slot.

A request middleware on the Bot's session, so nothing can bypass it: handler replies and
edits, staff-chat posts, reminders, notices, broadcasts and the error handler's apology all
pass through `Outbound`. It asks the shared `RateLimiter` for a slot by priority (the target
chat decides «staff», the sending task's `current_priority` the rest; a handler is a person
waiting), and a 429 is never the end of a message meant for a person: the chat (or everyone)
pauses for `retry_after` and the same request goes again, until `give_up` seconds have passed.
answerCallbackQuery and other calls that write into no chat go straight through; a press's
answer refused with a short 429 is sent again after `retry_after` (the handler goes on to show
the page), a long one is skipped rather than raised into the handler.

Senders that paced themselves (the broadcast worker and reminders call `limiter.acquire`
before their send) pass straight through too, and keep handling their own 429s as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.core import metrics
from bot.core.messages import Deferred, allowed_wait
from broadcasts.limiter import Priority, RateLimiter, current_priority

log = logging.getLogger(__name__)
WRITES = ("send", "copy", "forward", "edit")
ANSWER_WAIT = 10.0  # the most a press's answer waits out 429s; a spinner stops by itself


def target_chat(method: TelegramMethod[Any]) -> int | None:
    """The chat a message-writing call writes into; None for everything else."""
    name = type(method).__name__.lower()
    if not name.startswith(WRITES) or name == "sendchataction":
        return None
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class Outbound(BaseRequestMiddleware):
    def __init__(
        self,
        limiter: RateLimiter,
        *,
        staff_chat_id: int | None = None,
        give_up: float = 600.0,
        before_wait: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limiter, self.staff_chat_id, self.give_up = limiter, staff_chat_id, give_up
        # the update's idle database transaction is released before a wait (storage.db)
        self._before_wait, self._clock = before_wait, clock

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = target_chat(method)
        if chat_id is None:
            if isinstance(method, AnswerCallbackQuery):
                return await self._answer(make_request, bot, method)
            return await make_request(bot, method)
        if self.limiter.take_grant(chat_id):  # paced by its sender, who handles its 429s
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                scope = self.limiter.on_retry_after(exc.retry_after, chat_id)
                metrics.outbound_retry_after(scope)
                raise
        priority = Priority.STAFF if chat_id == self.staff_chat_id else current_priority.get()
        label = priority.name.lower()
        metrics.outbound_waiting(label, 1)
        try:
            return await self._deliver(make_request, bot, method, chat_id, priority)
        finally:
            metrics.outbound_waiting(label, -1)

    async def _answer(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """A press's answer: nothing waits for its slot, but a 429 must not end the update
        before the handler shows what was asked for."""
        waited = 0.0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                metrics.outbound_retry_after("global")
                if waited + exc.retry_after > ANSWER_WAIT:
                    log.warning("callback answer skipped: 429 for %ss", exc.retry_after)
                    return cast(Response[TelegramType], True)  # answerCallbackQuery's result
                log.info("429 for a callback answer: resending after %ss", exc.retry_after)
                if self._before_wait is not None:
                    await self._before_wait()
                await asyncio.sleep(exc.retry_after)
                waited += exc.retry_after

    async def _deliver(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        chat_id: int,
        priority: Priority,
    ) -> Response[TelegramType]:
        label, start = priority.name.lower(), self._clock()
        counted = not type(method).__name__.startswith("Edit")  # see RateLimiter.acquire
        allowed = allowed_wait()
        deadline = start + (self.give_up if allowed is None else allowed)
        while True:
            if self._before_wait is not None:
                await self._before_wait()
            try:
                await self.limiter.acquire(
                    chat_id, priority, within=deadline - self._clock(), counted=counted
                )
            except TimeoutError:
                raise self._gave_up(method, chat_id, label, allowed) from None
            self.limiter.take_grant(chat_id)  # spent here, not by the caller's next send
            metrics.outbound_waited(label, self._clock() - start)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                metrics.outbound_retry_after(self.limiter.on_retry_after(exc.retry_after, chat_id))
                if self._clock() + exc.retry_after > deadline:
                    raise self._gave_up(method, chat_id, label, allowed) from exc
                log.info("429 for chat %s: resending after %ss", chat_id, exc.retry_after)

    def _gave_up(
        self, method: TelegramMethod[Any], chat_id: int, label: str, allowed: float | None
    ) -> Deferred:
        if allowed is None:  # a caller with patience keeps its message: not lost
            metrics.outbound_given_up(label)
            log.error(
                "%s to chat %s given up after %.0f s of flood control",
                type(method).__name__, chat_id, self.give_up,
            )  # fmt: skip
        return Deferred(f"{type(method).__name__} to {chat_id} not sent in time")


def install(bot: Bot, outbound: Outbound) -> Outbound:
    bot.session.middleware(outbound)
    return outbound


def of(bot: Bot) -> Outbound | None:
    """The Outbound installed on this bot's session, if any (its limiter is shared)."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, Outbound):
            return middleware
    return None


# KEYS[1]: the bot's next free slot (microseconds of Redis time); ARGV[1]: slot length (µs).
# Redis TIME is the one clock all instances share; the reply is how long to wait (µs).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, nxt)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', 60000)
return at - now
"""


def redis_gate(url: str, rate: float, bot_id: int) -> Callable[[], Awaitable[float]]:
    """A slot of the bot's global budget shared by every instance through Redis.

    Each slot the local limiter hands out is first reserved in Redis, so N instances together
    keep `rate`; per-chat limits stay local (a chat's updates mostly reach one instance at a
    time). If Redis fails, the instance goes on with its local pace and says so once.
    """
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url)
    script = client.register_script(_RESERVE)
    key, step = f"moc:outbound:{bot_id}:next", max(1, int(1_000_000 / rate))
    warned = False

    async def gate() -> float:
        nonlocal warned
        try:
            waited = await script(keys=[key], args=[step])
        except (RedisError, OSError) as exc:
            if not warned:
                warned = True
                log.warning("shared send budget unavailable, pacing locally: %s", exc)
            return 0.0
        return float(waited) / 1_000_000

    return gate
