"""MAX's send budget shared by the bot's processes through Redis (REDIS_URL).

MAX counts requests per bot (dev.max.ru: 30 a second), not per process: the webhook instances
and the separate `worker` on one token must keep MAX_RATE together, or a broadcast from the
worker and answers from a webhook instance add up past it and MAX refuses both. Each slot a
process's MaxPacer hands out is first reserved here, on Redis's clock (one for all):

* `reserve` (a reply to a person, a reminder) queues for the next slot, as the Telegram
  budget does (handlers/tg/outbound.py);
* `spare` (a broadcast) takes a slot only if nobody has reserved one ahead, so a broadcast in
  the worker yields to people answered by another process, within one slot.

If Redis fails, the process goes on at its own pace, says so once a minute and leaves Redis
alone for a while (bot/core/redis_breaker.py).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from bot.core.config import Settings
from bot.core.redis_breaker import ERRORS, SOCKET_TIMEOUT, Breaker
from handlers.max.pacing import MaxPacer

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

log = logging.getLogger(__name__)

# KEYS[1]: the bot's next free slot (µs of Redis time); ARGV[1]: the slot's length (µs).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, nxt)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', 60000)
return at - now
"""
# the same slot only if it is free now: -1 taken, else µs until the next free one
_SPARE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nxt > now then
  return nxt - now
end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', 60000)
return -1
"""


class RedisPace:
    """The SharedPace of handlers/max/pacing.py over one Redis key per bot token."""

    def __init__(self, url: str, token: str) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
        )
        self._reserve = client.register_script(_RESERVE)
        self._spare = client.register_script(_SPARE)
        bot = hashlib.sha256(token.encode()).hexdigest()[:16]  # not the token itself
        self._key = f"moc:max:{bot}:next"
        self._breaker = Breaker(
            "shared MAX send budget unavailable, pacing locally", level=logging.WARNING
        )

    async def reserve(self, step: float) -> float:
        waited = await self._run(self._reserve, step)
        return max(0.0, waited or 0.0)

    async def spare(self, step: float) -> float | None:
        """None: the slot is ours; else seconds until one may be."""
        waited = await self._run(self._spare, step)
        return None if waited is None or waited < 0 else waited

    async def _run(self, script: AsyncScript, step: float) -> float | None:
        if not self._breaker.closed():
            return None
        try:
            found = int(await script(keys=[self._key], args=[max(1, int(step * 1_000_000))]))
        except ERRORS as exc:
            self._breaker("reserve", exc)
            return None
        return float(found) / 1_000_000 if found >= 0 else -1.0


def max_pacer(settings: Settings) -> MaxPacer:
    """The process's MAX pace: MAX_RATE, shared with the other processes when REDIS_URL is set."""
    token = settings.max_bot_token
    shared = None
    if settings.redis_url and token is not None:
        shared = RedisPace(settings.redis_url, token.get_secret_value().strip())
    return MaxPacer(settings.max_rate, shared=shared)
