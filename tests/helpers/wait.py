"""Wait for something a test cannot await directly: a message edited in place, a row written
by another task or process. One helper with a generous default, because a knowledge-base
rebuild or a loaded CI machine can hold the event loop for seconds."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

Check = Callable[[], object] | Callable[[], Awaitable[object]]


async def until(
    check: Check,
    within: float = 30.0,
    what: str | Callable[[], str] = "the condition",
    step: float = 0.05,
) -> None:
    """Poll `check` (plain or async) until it is true; fail naming `what` after `within` s."""
    deadline = time.monotonic() + within
    while True:
        got = check()
        if inspect.isawaitable(got):
            got = await got
        if got:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        await asyncio.sleep(step)
