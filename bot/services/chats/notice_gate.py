"""At most one notice per interval; what is held back meanwhile is counted for the next one.

Used for «the bot was added to a group» by people who are not staff: anyone can add a bot to
any group, and without a limit each addition would be a message to every admin.

With REDIS_URL the stamp and the count live in Redis (storage/redis_stamps.py): additions that
reach different webhook instances still make one notice per interval, not one per instance.
Without Redis (or while it is down) they are kept in memory: after a restart the first notice
simply comes a little early.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from bot.services.chats.pointers import Stamps

STRANGER_NOTICE_EVERY: Final = timedelta(hours=1)  # «added by someone not staff», per messenger
ALONE: Final = -1  # Redis could not be asked: this process decides alone


class NoticeGate:
    def __init__(
        self, interval: timedelta, *, shared: Stamps | None = None, name: str = "notice"
    ) -> None:
        self.interval, self.shared = interval, shared
        self._key = f"moc:{name}"
        self._last: datetime | None = None
        self._held = 0

    async def admit(self, now: datetime) -> int | None:
        """None: hold this one back; otherwise send, mentioning how many were held back."""
        if self.shared is not None:
            held = await self._admit_shared()
            if held != ALONE:
                return held
        if self._last is not None and now - self._last < self.interval:
            self._held += 1
            return None
        held, self._held, self._last = self._held, 0, now
        return held

    async def _admit_shared(self) -> int | None:
        """As `admit`, decided in Redis; ALONE when Redis could not be asked."""
        assert self.shared is not None
        first = await self.shared.stamp(self._key, self.interval, only_new=True)
        if first is None:
            return ALONE
        held_key = f"{self._key}:held"
        if not first:
            counted = await self.shared.count(held_key, self.interval * 2)
            if counted is None:
                self._held += 1
            return None
        taken = await self.shared.take(held_key)
        held, self._held = self._held + (taken or 0), 0
        return held
