"""At most one notice per interval; what is held back meanwhile is counted for the next one.

Used for «the bot was added to a group» by people who are not staff: anyone can add a bot to
any group, and without a limit each addition would be a message to every admin.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class NoticeGate:
    """Kept in memory: after a restart the first notice simply comes a little early."""

    def __init__(self, interval: timedelta) -> None:
        self.interval = interval
        self._last: datetime | None = None
        self._held = 0

    def admit(self, now: datetime) -> int | None:
        """None: hold this one back; otherwise send, mentioning how many were held back."""
        if self._last is not None and now - self._last < self.interval:
            self._held += 1
            return None
        held, self._held, self._last = self._held, 0, now
        return held
