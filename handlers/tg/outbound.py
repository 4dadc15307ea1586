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

A person's message still refused at `give_up`, or still waiting when the bot shuts down
(`keep_waiting`, a shutdown hook), goes to the persistent outbox (bot/services/outbox) rather
than being lost; the jobs loop sends it later.

Senders that paced themselves (the broadcast worker and reminders call `limiter.acquire`
before their send) pass straight through too, and keep handling their own 429s as before.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, SendMediaGroup, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.core import metrics
from bot.core.messages import Deferred, allowed_wait
from bot.core.shared_budget import Mode, SharedBudget
from bot.services.outbox import Outbox
from broadcasts.limiter import Priority, RateLimiter, current_priority
from handlers.tg.outbox_channel import parcel

log = logging.getLogger(__name__)
WRITES = ("send", "copy", "forward", "edit")
ANSWER_WAIT = 10.0  # the most a press's answer waits out 429s; a spinner stops by itself
# a press made while the bot was down or busy: Telegram no longer takes its answer
EXPIRED = ("query is too old", "query id is invalid")
# inside `answer_must_land` an expired answer raises: the caller says it in the chat instead
_MUST_LAND: ContextVar[bool] = ContextVar("moc_answer_must_land", default=False)


@contextmanager
def answer_must_land() -> Iterator[None]:
    """For an answer whose words matter (the error handler's apology): refused as expired or
    already answered, it raises as before, so the caller can send them as a message; every
    other answer to an old press is skipped and the handler goes on."""
    token = _MUST_LAND.set(True)
    try:
        yield
    finally:
        _MUST_LAND.reset(token)


def target_chat(method: TelegramMethod[Any]) -> int | None:
    """The chat a message-writing call writes into; None for everything else."""
    name = type(method).__name__.lower()
    if not name.startswith(WRITES) or name == "sendchataction":
        return None
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


@dataclass
class _Waiting:
    """A person's message waiting for its slot: what the shutdown hook keeps."""

    bot: Bot
    method: TelegramMethod[Any]
    chat_id: int
    in_flight: bool = False
    kept: bool = False


class Outbound(BaseRequestMiddleware):
    def __init__(
        self,
        limiter: RateLimiter,
        *,
        staff_chat_id: int | None = None,
        give_up: float = 600.0,
        before_wait: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        outbox: Outbox | None = None,
    ) -> None:
        self.limiter, self.staff_chat_id, self.give_up = limiter, staff_chat_id, give_up
        self.outbox = outbox
        self._waiting: dict[int, _Waiting] = {}
        self._ids = itertools.count()
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
            except TelegramBadRequest as exc:
                if _MUST_LAND.get() or not any(w in exc.message.lower() for w in EXPIRED):
                    raise
                # the spinner is long gone; what was pressed for is still done and shown
                log.info("callback answer skipped: the press is too old")
                return cast(Response[TelegramType], True)
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
        allowed = allowed_wait()
        keepable = allowed is None and priority is Priority.PERSON and self.outbox is not None
        key, entry = next(self._ids), _Waiting(bot, method, chat_id)
        if keepable:
            self._waiting[key] = entry
        try:
            return await self._paced(make_request, bot, method, chat_id, priority, entry)
        finally:
            self._waiting.pop(key, None)

    async def _paced(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        chat_id: int,
        priority: Priority,
        entry: _Waiting,
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
                    chat_id, priority, within=deadline - self._clock(), counted=counted,
                    cost=len(method.media) if isinstance(method, SendMediaGroup) else 1,
                )  # fmt: skip
            except TimeoutError:
                raise await self._gave_up(entry, label, allowed, priority) from None
            self.limiter.take_grant(chat_id)  # spent here, not by the caller's next send
            if entry.kept:  # the bot shut down meanwhile: the outbox sends it
                raise Deferred(f"{type(method).__name__} to {chat_id} kept in the outbox")
            metrics.outbound_waited(label, self._clock() - start)
            entry.in_flight = True
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                metrics.outbound_retry_after(self.limiter.on_retry_after(exc.retry_after, chat_id))
                if self._clock() + exc.retry_after > deadline:
                    raise await self._gave_up(entry, label, allowed, priority) from exc
                log.info("429 for chat %s: resending after %ss", chat_id, exc.retry_after)
            except TelegramServerError as exc:
                # Telegram's own failure (5xx): a person's answer waits in the outbox for the
                # next pass instead of being lost behind an apology that would fail as well
                why = f"Telegram server error: {exc.message}"
                if allowed is not None or not await self._keep(entry, priority, why):
                    raise
                log.warning("%s to chat %s kept in the outbox: %s", label, chat_id, exc.message)
                raise Deferred(f"{type(method).__name__} to {chat_id} kept: {why}") from exc
            finally:
                entry.in_flight = False

    async def _gave_up(
        self, entry: _Waiting, label: str, allowed: float | None, priority: Priority
    ) -> Deferred:
        name, chat_id = type(entry.method).__name__, entry.chat_id
        if allowed is None:  # a caller with patience keeps its message: not lost
            metrics.outbound_given_up(label)  # loudly, as MAX's; the outbox then says «kept»
            log.error(
                "%s to chat %s given up after %.0f s of flood control",
                name, chat_id, self.give_up,
            )  # fmt: skip
            await self._keep(entry, priority, "flood control past the give-up time")
        return Deferred(f"{name} to {chat_id} not sent in time")

    async def _keep(self, entry: _Waiting, priority: Priority, why: str) -> bool:
        """Into the outbox, if this is a person's message it can hold."""
        if self.outbox is None or priority is not Priority.PERSON or entry.kept:
            return entry.kept
        found = parcel(entry.bot, entry.method, entry.chat_id, int(priority))
        if found is None:
            return False
        entry.kept = True
        try:
            await self.outbox.keep(found, why)
        except Exception:
            log.exception("outbox: could not keep a reply to chat %s", entry.chat_id)
            return False
        return True

    async def keep_waiting(self) -> int:
        """At shutdown: every person's message still waiting for its slot goes to the outbox
        (a request already on the wire is left to finish); how many were kept."""
        kept = 0
        for entry in list(self._waiting.values()):
            if not entry.in_flight and not entry.kept:
                kept += await self._keep(entry, Priority.PERSON, "waiting at shutdown")
        return kept


def install(bot: Bot, outbound: Outbound) -> Outbound:
    bot.session.middleware(outbound)
    return outbound


async def keep_waiting(bot: Bot) -> None:
    """A Dispatcher shutdown hook: replies still waiting for their slot are kept."""
    outbound = of(bot)
    if outbound is not None and (kept := await outbound.keep_waiting()):
        log.warning("%s replies waiting for their slot kept in the outbox at shutdown", kept)


def of(bot: Bot) -> Outbound | None:
    """The Outbound installed on this bot's session, if any (its limiter is shared)."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, Outbound):
            return middleware
    return None


def redis_gate(url: str, rate: float, bot_id: int) -> Callable[[Mode], Awaitable[float]]:
    """A slot of the bot's global budget shared by every instance through Redis.

    Each slot the local limiter hands out is first taken in Redis (bot/core/shared_budget.py),
    so N instances together keep `rate`; per-chat limits stay local (a chat's updates mostly
    reach one instance at a time). A broadcast or reminder takes only a spare slot, so the
    `worker`'s broadcast yields to people answered by a webhook instance instead of taking
    every other slot from them. If Redis fails, the instance goes on with its local pace.
    """
    budget, step = SharedBudget(url, f"outbound:{bot_id}"), 1.0 / rate

    async def gate(mode: Mode) -> float:
        return await budget.take(step, mode)

    return gate
