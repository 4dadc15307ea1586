"""The group pointer gate when Redis is set but gone: it counts on its own memory, as without
REDIS_URL, instead of posting a pointer for every /start or none at all."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

from bot.services.chats.pointers import POINTER_EVERY, PointerGate
from storage.redis_stamps import RedisStamps

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def dead_redis_url() -> str:
    """A port nobody listens on: every call is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


async def test_with_redis_gone_one_pointer_per_group_is_kept_in_memory() -> None:
    gate = PointerGate(shared=RedisStamps(dead_redis_url()))
    try:
        started = time.monotonic()
        assert await gate.admit("tg:1:-100", NOW)
        assert not await gate.admit("tg:1:-100", NOW + timedelta(seconds=30))
        assert await gate.admit("tg:1:-100", NOW + timedelta(seconds=31), question=True)
        assert await gate.admit("max:-100", NOW + timedelta(seconds=32))  # another group
        assert await gate.admit("tg:1:-100", NOW + timedelta(seconds=31) + POINTER_EVERY)
        assert time.monotonic() - started < 2, "a refused Redis is asked once, then left alone"
    finally:
        await gate.close()


async def test_without_redis_the_gate_counts_per_group() -> None:
    gate = PointerGate()
    assert await gate.admit("tg:1:-100", NOW)
    assert not await gate.admit("tg:1:-100", NOW + POINTER_EVERY - timedelta(seconds=1))
    assert await gate.admit("tg:1:-100", NOW + POINTER_EVERY)
