"""Sends the outbox's stored replies: each chat's oldest first, every poll, until none wait.

Each channel paces its sends with the limiter the rest of its messages use, so the outbox
never trips the flood control it is recovering from; a chat still throttled keeps its row
(one more attempt counted) and the next poll tries again; a person who blocked the bot has the
row dropped with a log line, as the broadcasts' ledger does.

Several loops may run over one database (`run` with jobs beside a `worker`): a pass claims the
rows it sends (a lease, storage.repositories.outbox), so a reply goes out once; a loop that
died leaves its claims to run out, then another sends them. A reply still refused after
`max_age` is dropped loudly rather than retried for ever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.core import metrics
from bot.core.tasks import Background
from bot.services.outbox import OutboxChannel, Outcome, Parcel, parcel_of
from broadcasts.limiter import Priority, current_priority
from storage.db import SessionMaker
from storage.repositories.outbox import Expired, OutboxRepo

log = logging.getLogger(__name__)
# long enough for a send (its wait for a slot is cut at half of it), short enough that a dead
# loop's replies are not held up for long
LEASE = timedelta(minutes=5)
MAX_AGE = timedelta(hours=24)


def _wall_clock() -> datetime:
    """The time `Parcel.created_at` is written in (a test's frozen bot clock is not it)."""
    return datetime.now(UTC)


class OutboxWorker:
    def __init__(
        self,
        sessionmaker: SessionMaker,
        channels: dict[str, OutboxChannel],
        *,
        poll_seconds: float = 5.0,
        max_age: timedelta = MAX_AGE,
        lease: timedelta = LEASE,
        now: Callable[[], datetime] = _wall_clock,
    ) -> None:
        self._sessionmaker, self._channels, self._poll = sessionmaker, channels, poll_seconds
        self._max_age, self._lease, self._now = max_age, lease, now
        self._held: dict[int, datetime] = {}  # row id → its lease's end, while being sent
        self._loop = Background()

    def start(self) -> None:
        self._loop.start(self._run())

    async def stop(self) -> None:
        """Sends in flight are cut; their rows are given back at once for the next loop."""
        await self._loop.stop()
        held, self._held = self._held, {}
        if held:
            async with self._sessionmaker() as session:
                repo = OutboxRepo(session)
                for row_id, until in held.items():
                    await repo.release(row_id, until, tried=False)
                await session.commit()

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
        now = self._now()
        until = now + self._lease
        async with self._sessionmaker() as session:
            repo = OutboxRepo(session)
            if not await repo.any_in(list(self._channels)):
                return False  # nothing stored: no write (on SQLite it would lock out writers)
            expired = await repo.expire(list(self._channels), now, now - self._max_age)
            rows = await repo.claim(list(self._channels), now, until)
            await session.commit()
            self._held.update((row.id, until) for row in rows)
            parcels = [parcel_of(row) for row in rows]
        for row in expired:
            self._dropped_for_age(row, now)
        if not parcels:
            return False
        outcomes = await asyncio.gather(*(self._one(p, until) for p in parcels))
        return Outcome.SENT in outcomes

    async def _one(self, parcel: Parcel, until: datetime) -> Outcome:
        assert parcel.id is not None
        outcome = await self._deliver(parcel)
        async with self._sessionmaker() as session:
            repo = OutboxRepo(session)
            if outcome is not Outcome.LATER:
                await repo.remove(parcel.id)
            elif not await repo.release(parcel.id, until):
                log.warning("outbox row %s: its lease ran out while it was tried", parcel.id)
            await session.commit()
        self._held.pop(parcel.id, None)
        metrics.outbox(outcome.value if outcome is not Outcome.BLOCKED else "dropped",
                       parcel.channel)  # fmt: skip
        if outcome is Outcome.BLOCKED:
            log.info("outbox row %s dropped: chat %s blocked the bot", parcel.id, parcel.chat_id)
        elif outcome is Outcome.SENT:
            log.info("outbox row %s delivered to chat %s", parcel.id, parcel.chat_id)
        return outcome

    async def _deliver(self, parcel: Parcel) -> Outcome:
        """The send, cut short well inside the lease: past it another loop may take the row."""
        try:
            async with asyncio.timeout(self._lease.total_seconds() / 2):
                return await self._channels[parcel.channel].deliver(parcel)
        except TimeoutError:
            log.warning("outbox row %s to chat %s: no slot in time, next pass",
                        parcel.id, parcel.chat_id)  # fmt: skip
        except Exception:
            log.exception("outbox row %s to chat %s failed", parcel.id, parcel.chat_id)
        return Outcome.LATER

    def _dropped_for_age(self, row: Expired, now: datetime) -> None:
        hours = (now - row.created_at).total_seconds() / 3600
        metrics.outbox("expired", row.channel)
        log.error(
            "outbox row %s dropped: the %s reply to chat %s was refused for %.1f h, past "
            "OUTBOX_MAX_AGE_HOURS (%.0f h); the person never got it",
            row.id, row.channel, row.chat_id, hours, self._max_age.total_seconds() / 3600,
        )  # fmt: skip
