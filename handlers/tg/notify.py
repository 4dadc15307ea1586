"""One direct message with Telegram's manners, for the reminder job.

A 429 is waited out once (bounded, so one flood-wait cannot hang the caller) and retried; 403
means the user blocked the bot; any other refusal is counted, never raised. Messages to many
people at once (an event's cancellation, a new time or place) are not sent from here but
queued as notice broadcasts (`broadcasts.service.create_notice`), which share the broadcast
rate limit and survive a restart half-way through the list.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
Sender = Callable[[int, str], Awaitable[object]]  # e.g. bot.send_message (HTML default)
Outcome = Literal["sent", "blocked", "failed"]
MAX_RETRY_WAIT = 30.0


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
