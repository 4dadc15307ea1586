"""A busy parents' group: when thirty people type /start (or the bot's bare name) within a
minute, one pointer to the private chat is enough — every later one just repeats what the
group can read right above. Both messengers' group adapters ask `PointerGate.admit`.

A message that names the bot and asks something besides («@moc_bot, как записаться?») is a
person's own question: it always gets its pointer, as a reply to that message.

Kept in memory, per process: after a restart (or on a second webhook instance) a pointer may
come a little early, never a question left without one.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

POINTER_EVERY: Final = timedelta(minutes=5)
KEEP: Final = 1000  # groups remembered at most; the oldest stamps are forgotten first
WORD = re.compile(r"[^\W\d_]{2,}")


def asks_more(text: str, name: str) -> bool:
    """Whether a message that names the bot (`@name`) says anything besides the name."""
    rest = re.sub(rf"@{re.escape(name)}\b", " ", text, flags=re.IGNORECASE) if name else text
    return WORD.search(rest) is not None


class PointerGate:
    """At most one «ask me privately» per group per `every`; a question passes always."""

    def __init__(self, every: timedelta = POINTER_EVERY) -> None:
        self.every = every
        self._last: dict[int, datetime] = {}

    def admit(self, chat_id: int, now: datetime, *, question: bool = False) -> bool:
        """True: post the pointer (and count it as this group's latest); False: the group
        got one less than `every` ago, skip this one."""
        last = self._last.get(chat_id)
        if not question and last is not None and now - last < self.every:
            return False
        self._last.pop(chat_id, None)
        self._last[chat_id] = now  # insertion order: the oldest stamps come first
        while len(self._last) > KEEP:
            del self._last[next(iter(self._last))]
        return True
