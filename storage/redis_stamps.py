"""Stamps every instance sees: «this was done a moment ago» kept in Redis with an expiry.

A group pointer (bot.services.chats.pointers) posted by one webhook instance must hold back
the others for the same few minutes; one `SET key NX PX` decides atomically which instance
posts. The «bot added by a stranger» notice (bot.services.chats.notice_gate) also counts in
Redis what it held back, and flood control (bot.core.flood) keeps each person's bucket here.
When Redis fails the caller is told (None) and decides on its own memory, and Redis is left
alone for a while (bot.core.redis_breaker), as dialog state and the send budget do.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from redis.asyncio import Redis

from bot.core.redis_breaker import ERRORS, SOCKET_TIMEOUT, Breaker

T = TypeVar("T")

# a token bucket on Redis's clock (flood control, bot.core.flood): {let through, warn now}
_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, every = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'stamp', 'warned')
local tokens = tonumber(v[1]) or burst
local stamp = tonumber(v[2]) or now
local warned = tonumber(v[3]) or (now - every)
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local allowed, warn = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif now - warned >= every then
  warn = 1
  warned = now
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', string.format('%.6f', now),
           'warned', string.format('%.6f', warned))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst / rate + every) * 1000))
return {allowed, warn}
"""


class RedisStamps:
    def __init__(self, url: str) -> None:
        self._client = Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
        )
        self._breaker = Breaker(
            "Redis unavailable, group gates counted per instance", level=logging.WARNING
        )
        self._bucket = self._client.register_script(_BUCKET)

    async def stamp(self, key: str, keep: timedelta, *, only_new: bool) -> bool | None:
        """True: stamped now (for `keep`); False: `only_new` and a stamp is still there;
        None: Redis could not be asked."""

        async def put() -> bool:
            return bool(await self._client.set(key, "1", nx=only_new, px=_ms(keep)))

        return await self._ask("set", put)

    async def count(self, key: str, keep: timedelta) -> int | None:
        """One more under `key` (kept `keep` after the last one): the new total."""

        async def incr() -> int:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.pexpire(key, _ms(keep))
                total, _ = await pipe.execute()
            return int(total)

        return await self._ask("incr", incr)

    async def take(self, key: str) -> int | None:
        """The count under `key`, which starts again from nothing."""

        async def getdel() -> int:
            return int(await self._client.getdel(key) or 0)

        return await self._ask("getdel", getdel)

    async def bucket(
        self, key: str, rate: float, burst: float, warn_every: float
    ) -> tuple[bool, bool] | None:
        """One message from the token bucket `key` (bot.core.flood.Buckets)."""

        async def run() -> tuple[bool, bool]:
            allowed, warn = await self._bucket(keys=[key], args=[rate, burst, warn_every])
            return bool(allowed), bool(warn)

        return await self._ask("flood bucket", run)

    async def _ask(self, what: str, call: Callable[[], Awaitable[T]]) -> T | None:
        """`call`'s answer; None while the breaker keeps Redis alone or when it fails now."""
        if not self._breaker.closed():
            return None
        try:
            return await call()
        except ERRORS as exc:
            self._breaker(what, exc)
            return None

    async def close(self) -> None:
        with contextlib.suppress(*ERRORS):
            await self._client.aclose()


def _ms(keep: timedelta) -> int:
    """An expiry in Redis's milliseconds, never 0 (PX 0 is an error)."""
    return max(1, int(keep.total_seconds() * 1000))
