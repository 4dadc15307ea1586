"""A busy parents' group: when thirty people type /start (or the bot's bare name) within a
minute, one pointer to the private chat is enough — every later one just repeats what the
group can read right above. Both messengers' group adapters ask `PointerGate.admit`.

The same holds for refusals: a group where many tap /bind or /tickets in the command menu
hears «только для сотрудников» once per few minutes (`PointerGate.once`), not once per
tap (and /contacts, offered in that menu too, the contacts once): two hundred parents would
flood their own chat and spend the rate limit that the persons' answers need.

A message that names the bot and asks something besides («@moc_bot, как записаться?») is a
person's own question: it always gets its pointer, as a reply to that message.

With REDIS_URL the stamp «this group was pointed there» is kept in Redis
(storage/redis_stamps.py), so thirty people whose /start reach different webhook instances
still get one pointer; without Redis (or while it is down) each process keeps its own: a
pointer may then come a little early, never a question left without one.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final, Protocol

POINTER_EVERY: Final = timedelta(minutes=5)
KEEP: Final = 1000  # groups remembered at most; the oldest stamps are forgotten first
WORD = re.compile(r"[^\W\d_]{2,}")


def asks_more(text: str, name: str) -> bool:
    """Whether a message that names the bot (`@name`) says anything besides the name."""
    rest = re.sub(rf"@{re.escape(name)}\b", " ", text, flags=re.IGNORECASE) if name else text
    return WORD.search(rest) is not None


class Stamps(Protocol):
    """Stamps, counts and flood buckets (bot.core.flood.Buckets) shared by instances
    (storage.redis_stamps.RedisStamps); None from any of them: the shared store could not be
    asked, decide alone."""

    async def stamp(self, key: str, keep: timedelta, *, only_new: bool) -> bool | None: ...

    async def count(self, key: str, keep: timedelta) -> int | None: ...

    async def take(self, key: str) -> int | None: ...

    async def bucket(
        self, key: str, rate: float, burst: float, warn_every: float
    ) -> tuple[bool, bool] | None: ...

    async def close(self) -> None: ...


class PointerGate:
    """At most one «ask me privately» per group per `every`; a question passes always."""

    def __init__(self, every: timedelta = POINTER_EVERY, *, shared: Stamps | None = None) -> None:
        self.every, self.shared = every, shared
        self._last: dict[str, datetime] = {}

    async def admit(self, chat: str, now: datetime, *, question: bool = False) -> bool:
        """True: post the pointer (and count it as this group's latest); False: the group
        got one less than `every` ago, skip this one. `chat` names the group with its
        messenger («tg:<bot id>:<chat id>», «max:<chat id>»): one gate serves both."""
        if self.shared is not None:
            key = f"moc:pointer:{chat}"
            posted = await self.shared.stamp(key, self.every, only_new=not question)
            if posted is not None:
                if posted:  # remembered here too, should Redis go away a minute later
                    self._stamp(chat, now)
                return posted
        last = self._last.get(chat)
        if not question and last is not None and now - last < self.every:
            return False
        self._stamp(chat, now)
        return True

    async def once(self, chat: str, now: datetime, kind: str = "staff-only") -> bool:
        """True: say it in group `chat`; False: a reply of this `kind` (a «только для
        сотрудников», the contacts) was said there less than `every` ago, stay quiet. Each
        kind apart from the others and from the pointers."""
        return await self.admit(f"{kind}:{chat}", now)

    def _stamp(self, chat: str, now: datetime) -> None:
        self._last.pop(chat, None)
        self._last[chat] = now  # insertion order: the oldest stamps come first
        while len(self._last) > KEEP:
            del self._last[next(iter(self._last))]
