"""Sends the outbox's stored replies: each chat's oldest first, every poll, until none wait.

Each channel paces its sends with the limiter the rest of its messages use, so the outbox
never trips the flood control it is recovering from; a chat still throttled keeps its row
(one more attempt counted) and the next poll tries again; a person who blocked the bot has the
row dropped with a log line, as the broadcasts' ledger does.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core import metrics
from bot.core.tasks import Background
from bot.services.outbox import OutboxChannel, Outcome, Parcel, parcel_of
from broadcasts.limiter import Priority, current_priority
from storage.db import SessionMaker
from storage.repositories.outbox import OutboxRepo

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(
        self,
        sessionmaker: SessionMaker,
        channels: dict[str, OutboxChannel],
        *,
        poll_seconds: float = 5.0,
    ) -> None:
        self._sessionmaker, self._channels, self._poll = sessionmaker, channels, poll_seconds
        self._loop = Background()

    def start(self) -> None:
        self._loop.start(self._run())

    async def stop(self) -> None:
        await self._loop.stop()

    async def _run(self) -> None:
        current_priority.set(Priority.PERSON)  # someone has waited for these longest of all
        while True:
            try:
                busy = await self.pass_once()
            except Exception:
                log.exception("outbox pass failed")
                busy = False
            if not busy:
                await asyncio.sleep(self._poll)

    async def pass_once(self) -> bool:
        """One reply per chat that has any; True if one was sent (more may follow at once)."""
        async with self._sessionmaker() as session:
            rows = await OutboxRepo(session).heads(list(self._channels))
            parcels = [parcel_of(row) for row in rows]
        if not parcels:
            return False
        outcomes = await asyncio.gather(*(self._one(p) for p in parcels))
        return Outcome.SENT in outcomes

    async def _one(self, parcel: Parcel) -> Outcome:
        assert parcel.id is not None
        try:
            outcome = await self._channels[parcel.channel].deliver(parcel)
        except Exception:
            log.exception("outbox row %s to chat %s failed", parcel.id, parcel.chat_id)
            outcome = Outcome.LATER
        async with self._sessionmaker() as session:
            repo = OutboxRepo(session)
            if outcome is Outcome.LATER:
                await repo.tried(parcel.id)
            else:
                await repo.remove(parcel.id)
            await session.commit()
        metrics.outbox(outcome.value if outcome is not Outcome.BLOCKED else "dropped",
                       parcel.channel)  # fmt: skip
        if outcome is Outcome.BLOCKED:
            log.info("outbox row %s dropped: chat %s blocked the bot", parcel.id, parcel.chat_id)
        elif outcome is Outcome.SENT:
            log.info("outbox row %s delivered to chat %s", parcel.id, parcel.chat_id)
        return outcome
