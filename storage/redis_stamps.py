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
from datetime import timedelta

from redis.asyncio import Redis

from bot.core.redis_breaker import ERRORS, SOCKET_TIMEOUT, Breaker

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
        if not self._breaker.closed():
            return None
        ms = max(1, int(keep.total_seconds() * 1000))
        try:
            done = await self._client.set(key, "1", nx=only_new, px=ms)
        except ERRORS as exc:
            self._breaker("set", exc)
            return None
        return bool(done)

    async def count(self, key: str, keep: timedelta) -> int | None:
        """One more under `key` (kept `keep` after the last one): the new total."""
        if not self._breaker.closed():
            return None
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.pexpire(key, max(1, int(keep.total_seconds() * 1000)))
                total, _ = await pipe.execute()
        except ERRORS as exc:
            self._breaker("incr", exc)
            return None
        return int(total)

    async def take(self, key: str) -> int | None:
        """The count under `key`, which starts again from nothing."""
        if not self._breaker.closed():
            return None
        try:
            value = await self._client.getdel(key)
        except ERRORS as exc:
            self._breaker("getdel", exc)
            return None
        return int(value or 0)

    async def bucket(
        self, key: str, rate: float, burst: float, warn_every: float
    ) -> tuple[bool, bool] | None:
        """One message from the token bucket `key` (bot.core.flood.Buckets)."""
        if not self._breaker.closed():
            return None
        try:
            allowed, warn = await self._bucket(keys=[key], args=[rate, burst, warn_every])
        except ERRORS as exc:
            self._breaker("flood bucket", exc)
            return None
        return bool(allowed), bool(warn)

    async def close(self) -> None:
        with contextlib.suppress(*ERRORS):
            await self._client.aclose()
