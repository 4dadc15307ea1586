"""MAX's own ids behind internal ones, for senders that start from the database (broadcasts).

A mapping never changes once made (`storage.repositories.channel_ids`; a forgotten person's
id is wiped, never given to another), so a per-process cache is always right; only a miss
costs a query, in its own short session.
"""

from __future__ import annotations

from bot.core.ids import channel_of
from storage.db import SessionMaker
from storage.repositories.channel_ids import ChannelIdRepo


class MaxIds:
    """Internal id → MAX user id (a person) or MAX chat_id (a group)."""

    def __init__(self, sessionmaker: SessionMaker) -> None:
        self._sessionmaker = sessionmaker
        self._external: dict[int, int] = {}

    async def external(self, internal_id: int) -> int | None:
        """None for an id that is not a MAX one or was never mapped."""
        if channel_of(internal_id) != "max":
            return None
        found = self._external.get(internal_id)
        if found is None:
            async with self._sessionmaker() as session:
                found = await ChannelIdRepo(session).external(internal_id)
            if found is not None:
                self._external[internal_id] = found
        return found
