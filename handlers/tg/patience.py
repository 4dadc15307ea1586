"""Telegram calls that must not be lost to one refusal: a 429 or a 5xx waited out, bounded.

A notice to a person (the author's report, the progress edits) and the later parts of an album
broadcast are nobody's ledger row: nothing retries them later, so they are retried here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

log = logging.getLogger(__name__)
T = TypeVar("T")

NOTICE_ATTEMPTS: Final = 6  # a notice or progress edit: 5xx pauses of 1+2+4+8+16 s at most
NOTICE_WAIT: Final = 60.0  # the longest retry_after a notice waits out; longer: given up


async def patiently(call: Callable[[], Awaitable[T]], attempts: int = NOTICE_ATTEMPTS) -> T:
    """`call` again after a 429 (once its `retry_after` passed, if that is at most
    NOTICE_WAIT) or a 5xx / no answer (after 1, 2, 4 … s); the last failure is raised.
    A retry goes through the Bot's outbound layer like any send: it waits for its slot."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except TelegramRetryAfter as exc:
            if attempt == attempts or exc.retry_after > NOTICE_WAIT:
                raise
            pause = float(exc.retry_after)
            log.info("notice: 429; again in %.0f s", pause)
        except (TelegramServerError, TelegramNetworkError) as exc:
            if attempt == attempts:
                raise
            pause = 2.0 ** (attempt - 1)
            log.info("notice: %s; again in %.0f s", exc.message, pause)
        await asyncio.sleep(pause)
    raise AssertionError("unreachable")
