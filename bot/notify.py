"""Telling a group of users one thing now: an event was cancelled, its time or place changed.

Telegram allows a bot about 30 messages a second overall; we stay at 20 so a notice to a full
hall never trips the limit and other chats keep getting answers meanwhile. A 429 is waited out
once (bounded, so one flood-wait cannot hang the caller) and retried; a user who blocked the
bot is marked inactive so broadcasts skip them; any other refusal is counted, never raised.

The caller commits its own work before calling: marking users inactive opens a session of its
own, and on SQLite a second writer would wait for an uncommitted handler transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

from storage.db import SessionMaker
from storage.repositories.users import UserRepo

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
Sender = Callable[[int, str], Awaitable[object]]  # e.g. bot.send_message (HTML default)
Outcome = Literal["sent", "blocked", "failed"]
RATE_PER_SECOND = 20.0
MAX_RETRY_WAIT = 30.0


@dataclass(frozen=True)
class NotifyReport:
    sent: int = 0
    blocked: int = 0  # the user blocked the bot (now marked inactive)
    failed: int = 0

    def __add__(self, other: NotifyReport) -> NotifyReport:
        return NotifyReport(
            self.sent + other.sent, self.blocked + other.blocked, self.failed + other.failed
        )

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed


async def send_once(
    send: Sender,
    chat_id: int,
    text: str,
    *,
    max_wait: float = MAX_RETRY_WAIT,
    sleep: Sleep = asyncio.sleep,
) -> Outcome:
    """One message with Telegram's manners: a 429 is waited out (capped) and tried once more,
    403 means the user blocked the bot, any other API error is counted, never raised."""
    try:
        try:
            await send(chat_id, text)
        except TelegramRetryAfter as exc:
            await sleep(min(float(exc.retry_after), max_wait))
            await send(chat_id, text)
    except TelegramForbiddenError:
        return "blocked"
    except TelegramAPIError as exc:  # includes a second 429
        log.warning("message to %s not sent: %s", chat_id, type(exc).__name__)
        return "failed"
    return "sent"


async def _deactivate(sessionmaker: SessionMaker, user_ids: Iterable[int]) -> None:
    async with sessionmaker() as session:
        users = UserRepo(session)
        for user_id in user_ids:
            await users.set_active(user_id, False)
        await session.commit()


async def notify_users(
    bot: Bot,
    sessionmaker: SessionMaker,
    user_ids: Iterable[int],
    text: str,
    *,
    rate: float = RATE_PER_SECOND,
    max_retry_wait: float = MAX_RETRY_WAIT,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> NotifyReport:
    """Send `text` (Telegram HTML, values already escaped) once to each user, paced at `rate`."""
    targets = list(dict.fromkeys(user_ids))  # once each, in the given order
    outcomes: dict[Outcome, list[int]] = {"sent": [], "blocked": [], "failed": []}
    next_at = clock()
    for user_id in targets:
        delay = next_at - clock()
        if delay > 0:
            await sleep(delay)
        outcome = await send_once(
            bot.send_message, user_id, text, max_wait=max_retry_wait, sleep=sleep
        )
        outcomes[outcome].append(user_id)
        # after a flood wait, go on at the normal pace rather than catching up in a burst
        next_at = max(next_at + 1 / rate, clock())
    if outcomes["blocked"]:
        await _deactivate(sessionmaker, outcomes["blocked"])
        log.info("notice: %d users blocked the bot, marked inactive", len(outcomes["blocked"]))
    return NotifyReport(len(outcomes["sent"]), len(outcomes["blocked"]), len(outcomes["failed"]))
