"""When to leave a failing Redis alone: one rule for everything instances share through it.

Dialog state and per-person locks (handlers/tg/resilient_fsm.py), the shared send budget
(handlers/tg/outbound.py) and the group pointer gate (storage/redis_stamps.py) each degrade to
what one process can do alone when Redis fails; after a failure Redis is not asked again for
RETRY_AFTER seconds, so a hung Redis costs a parent one socket timeout, not one per call.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from redis.exceptions import RedisError

log = logging.getLogger(__name__)
ERRORS = (RedisError, OSError, TimeoutError)
WARN_EVERY = 60.0
RETRY_AFTER: Final = 15.0  # seconds Redis is not asked again after a failure
# Redis answers in a millisecond; redis-py's own default (5 s) made a hung Redis cost a
# parent 15 s and more on every message
SOCKET_TIMEOUT: Final = 2.0  # for connecting and for each answer


class Breaker:
    """Whether to ask Redis now; one logged line a minute while it fails."""

    def __init__(self, what: str, *, level: int = logging.ERROR) -> None:
        self._what, self._level = what, level
        self._last = -WARN_EVERY
        self._down_until = 0.0

    def closed(self) -> bool:
        """False while a recent failure says Redis would only waste a timeout."""
        return time.monotonic() >= self._down_until

    def __call__(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        self._down_until = now + RETRY_AFTER
        if now - self._last >= WARN_EVERY:
            self._last = now
            log.log(self._level, "%s (%s: %s)", self._what, what, exc)
