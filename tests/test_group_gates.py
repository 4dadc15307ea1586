"""The gates instances share through Redis (the pointer to the private chat, the notice of a
stranger's addition, flood control) when Redis is set but gone: they count on their own
memory, as without REDIS_URL, instead of letting everything through or nothing."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

from bot.core.flood import FloodGate
from bot.services.chats.notice_gate import STRANGER_NOTICE_EVERY, NoticeGate
from bot.services.chats.pointers import POINTER_EVERY, PointerGate
from storage.redis_stamps import RedisStamps

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def dead_redis_url() -> str:
    """A port nobody listens on: every call is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


async def test_with_redis_gone_one_pointer_per_group_is_kept_in_memory() -> None:
    stamps = RedisStamps(dead_redis_url())
    gate = PointerGate(shared=stamps)
    try:
        started = time.monotonic()
        assert await gate.admit("tg:1:-100", NOW)
        assert not await gate.admit("tg:1:-100", NOW + timedelta(seconds=30))
        assert await gate.admit("tg:1:-100", NOW + timedelta(seconds=31), question=True)
        assert await gate.admit("max:-100", NOW + timedelta(seconds=32))  # another group
        assert await gate.admit("tg:1:-100", NOW + timedelta(seconds=31) + POINTER_EVERY)
        assert time.monotonic() - started < 2, "a refused Redis is asked once, then left alone"
    finally:
        await stamps.close()


async def test_with_redis_gone_stranger_notices_are_counted_in_memory() -> None:
    stamps = RedisStamps(dead_redis_url())
    gate = NoticeGate(STRANGER_NOTICE_EVERY, shared=stamps, name="strangers:tg")
    try:
        assert await gate.admit(NOW) == 0
        assert await gate.admit(NOW + timedelta(minutes=1)) is None
        assert await gate.admit(NOW + timedelta(minutes=2)) is None
        assert await gate.admit(NOW + STRANGER_NOTICE_EVERY) == 2
    finally:
        await stamps.close()


async def test_without_redis_the_gate_counts_per_group() -> None:
    gate = PointerGate()
    assert await gate.admit("tg:1:-100", NOW)
    assert not await gate.admit("tg:1:-100", NOW + POINTER_EVERY - timedelta(seconds=1))
    assert await gate.admit("tg:1:-100", NOW + POINTER_EVERY)


async def test_with_redis_gone_flood_control_counts_in_memory() -> None:
    stamps = RedisStamps(dead_redis_url())
    gate = FloodGate(rate=0.01, burst=2, shared=stamps, name="tg")
    try:
        said = [await gate.admit(2001) for _ in range(4)]
        assert said == [(True, False), (True, False), (False, True), (False, False)]
    finally:
        await stamps.close()
