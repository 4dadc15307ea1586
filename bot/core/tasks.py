"""One long-running background task (a relay, a resend loop) that a role starts and stops."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Coroutine
from typing import Any


class Background:
    """Starts a loop in a fresh context — nothing of the update or task that started it (the
    priority of its sends, the current session) leaks in — and cancels it on stop."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self, loop: Coroutine[Any, Any, None]) -> None:
        self._task = asyncio.create_task(loop, context=contextvars.Context())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
