"""One bot's MAX send budget shared by its processes through Redis (REDIS_URL).

MAX counts a bot's requests per bot, not per process: the webhook instances and the separate
`worker` must keep MAX_RATE together, and «people first» must hold across them (Telegram's
budget has its own script, handlers/tg/outbound.py::redis_gate). Each slot a process hands out
is first taken here, on Redis's clock (one for all instances):

* "people" (a reply to a person, a reminder): the next slot in turn, and a mark, living three
  slots, that some instance has people waiting;
* "spare" (a broadcast): a slot only if nobody has reserved one ahead and no
  instance has people waiting — so the worker's broadcast yields to people answered by another
  process, rather than taking every other slot from them;
* "turn": the next slot in turn, no mark.

The process's MaxPacer (handlers/max/pacing.py) keeps the per-chat limits itself. If Redis
fails, a process goes on at its own pace, says so once a minute and leaves Redis alone for a
while (bot/core/redis_breaker.py).
"""

from __future__ import annotations

import logging
from typing import Final, Literal

from bot.core.redis_breaker import ERRORS, SOCKET_TIMEOUT, Breaker

Mode = Literal["people", "spare", "turn"]
PEOPLE_MARK_SLOTS: Final = 3  # the «people waiting» mark outlives a person's slot by this many

# KEYS[1]: the bot's next free slot (µs of Redis time), KEYS[2]: the «people waiting» mark;
# ARGV[1]: the slot's length (µs), ARGV[2]: the mode. The reply: µs to wait for the slot
# taken, or for a spare one refused, minus the µs until one may be free.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local step = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[2] == 'spare' then
  if nxt > now then
    return now - nxt
  end
  if redis.call('EXISTS', KEYS[2]) == 1 then
    return -step
  end
end
local at = math.max(now, nxt)
if ARGV[2] == 'people' then
  local mark = math.max(1, math.floor((at - now + step * MARK_SLOTS) / 1000))
  redis.call('SET', KEYS[2], '1', 'PX', mark)
end
redis.call('SET', KEYS[1], at + step, 'PX', 60000)
return at - now
""".replace("MARK_SLOTS", str(PEOPLE_MARK_SLOTS))


class SharedBudget:
    """The budget of one bot (`name`: «max:<token hash>»)."""

    def __init__(self, url: str, name: str) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
        )
        self._script = client.register_script(_TAKE)
        self._keys = [f"moc:{name}:next", f"moc:{name}:people"]
        self._breaker = Breaker(
            f"shared send budget ({name}) unavailable, pacing locally", level=logging.WARNING
        )

    async def take(self, step: float, mode: Mode) -> float:
        """Seconds to wait for the slot taken; negative for a spare slot refused (minus the
        seconds until one may be free); 0 when Redis cannot say (pace locally)."""
        if not self._breaker.closed():
            return 0.0
        try:
            found = await self._script(keys=self._keys, args=[max(1, int(step * 1e6)), mode])
        except ERRORS as exc:
            self._breaker("take", exc)
            return 0.0
        return int(found) / 1_000_000
