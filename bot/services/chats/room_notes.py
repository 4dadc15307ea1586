"""«Бот не может писать в чат сотрудников…»: when the Telegram staff chat refuses posts (a
forum whose «General» is closed, the bot removed), every ticket still reaches each Telegram
staffer privately (`bot.services.tickets.posting.post`), but the line saying why comes once
an hour per staffer, not above every card and follow-up.

With REDIS_URL the stamp is kept in Redis (bot.services.chats.pointers), so instances share
it; without Redis each process keeps its own: the line may then come a little more often.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.core.clock import Clock
from bot.services.chats.pointers import PointerGate, Stamps

ROOM_NOTE_EVERY: Final = timedelta(hours=1)


class RoomNotes:
    """Whether a staffer is to be told (again) why a ticket came privately."""

    def __init__(self, clock: Clock, shared: Stamps | None = None) -> None:
        self.clock = clock
        self._gate = PointerGate(ROOM_NOTE_EVERY, shared=shared)

    async def due(self, staffer: int) -> bool:
        """True: say why above this post (and not again for an hour); False: said lately."""
        return await self._gate.once(str(staffer), self.clock.now(), "staff-room-refused")
