"""The broadcast worker: finds due broadcasts in the database and delivers them, one by one.

Delivery guarantee, as for a mail queue: every recipient gets the message at least once, and
exactly once unless a process dies mid-send. Each ledger row is claimed (pending → sending) and
committed before its send; a process killed between a send and writing its outcome leaves the
row `sending`, and whoever resumes the broadcast sends it again. So the only possible
duplicates are the sends in flight at the moment of a crash: at most `concurrency` (8) per
crash. Nothing is dropped silently: every row ends `sent`, `blocked` or `failed` (with
Telegram's reason, after bounded retries), or stays `pending` (cancelled, or the bot stopped)
until someone delivers it. Broadcasts go one after another: at 25/s a 2,000-chat one holds
the next for about 80 s.

Several instances may run: a broadcast is claimed by a conditional UPDATE and kept with a
heartbeat; one whose heartbeat is older than `lease_seconds` is taken over (its instance died);
the same `instance_id` takes its own claim back at once after a restart, so give each process a
stable id of its own (two live processes must never share one). A broadcast due more than
`grace_minutes` ago (the bot was down) is marked MISSED and its author told, not sent late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, timedelta, tzinfo

from bot.clock import Clock
from broadcasts import closing, ledger, lifecycle
from broadcasts.audience import recipients, subscriber_audiences, target_of
from broadcasts.channel import Channel
from broadcasts.content import Content
from broadcasts.courier import Courier
from broadcasts.job import Job
from broadcasts.limiter import RateLimiter
from broadcasts.runtime import Options, Runtime
from storage.db import SessionMaker
from storage.models import Broadcast

log = logging.getLogger(__name__)


class BroadcastWorker:
    def __init__(
        self,
        sessionmaker: SessionMaker,
        channel: Channel,
        clock: Clock,
        *,
        instance_id: str,
        rate: float = 25.0,
        concurrency: int = 8,
        poll_seconds: float = 5.0,
        grace_minutes: int = 60,
        lease_seconds: int = 60,
        tz: tzinfo = UTC,
        options: Options | None = None,
        limiter: RateLimiter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        opts = replace(options or Options(), concurrency=concurrency)
        opts = replace(opts, heartbeat_every=min(opts.heartbeat_every, lease_seconds / 3))
        limiter = limiter or RateLimiter(rate, clock=monotonic)
        self._rt = Runtime(sessionmaker, channel, limiter, clock, instance_id, opts, monotonic)
        self._poll, self._tz = poll_seconds, tz
        self._grace = timedelta(minutes=grace_minutes)
        self._lease = timedelta(seconds=lease_seconds)
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def limiter(self) -> RateLimiter:
        return self._rt.limiter

    async def run_once(self) -> None:
        """Mark missed broadcasts, then claim and deliver every due one (in time order)."""
        async with self._pass:  # one pass at a time: our own claims are re-claimable by us
            await self._run_pass()

    async def _run_pass(self) -> None:
        await closing.expire_missed(self._rt, self._grace, self._tz)
        rt = self._rt
        async with rt.sessionmaker() as session:
            due = await lifecycle.claimable_ids(
                session, rt.instance_id, rt.clock.now(), self._grace, self._lease
            )
        for broadcast_id in due:
            if rt.stopping.is_set():
                return
            try:
                await self._process(broadcast_id)
            except Exception:  # one broken broadcast must not stop the others
                log.exception("broadcast %s failed; it will be retried", broadcast_id)

    async def run_forever(self) -> None:
        while not self._rt.stopping.is_set():
            try:
                await self.run_once()
            except Exception:  # the database was unreachable: try again next poll
                log.exception("broadcast worker pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()

    def start(self) -> None:
        """Run in the background (call from dp.startup)."""
        if self._task is None or self._task.done():
            self._rt.stopping.clear()
            self._task = asyncio.create_task(self.run_forever(), name="broadcast-worker")

    def wake(self) -> None:
        """Look for due work now instead of at the next poll (after creating a broadcast)."""
        self._wake.set()

    async def stop(self, *, wait: float = 30.0) -> None:
        """Finish the sends in flight, leave the rest pending, give the claim up (dp.shutdown)."""
        self._rt.stopping.set()
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), wait)
        except TimeoutError:
            log.warning("broadcast worker did not stop in %.0f s; cancelling", wait)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _process(self, broadcast_id: int) -> None:
        prepared = await self._prepare(broadcast_id)
        if prepared is None:
            return  # another instance was faster
        broadcast, courier = prepared
        ending = await Job(self._rt, broadcast, courier).run()
        await closing.conclude(self._rt, broadcast, ending, self._tz)

    async def _prepare(self, broadcast_id: int) -> tuple[Broadcast, Courier] | None:
        """Claim, write the ledger (once), and put rows a dead worker left `sending` back."""
        rt, now = self._rt, self._rt.clock.now()
        async with rt.sessionmaker() as session:
            claimed = await lifecycle.claim(
                session, broadcast_id, rt.instance_id, now, self._grace, self._lease
            )
            await session.commit()
        if not claimed:
            return None
        async with rt.sessionmaker() as session:
            broadcast = await session.get_one(Broadcast, broadcast_id)
            target = target_of(broadcast)
            whom = await recipients(session, target)
            if await ledger.materialise(session, broadcast_id, whom, now):
                log.info("broadcast %s: ledger of %d recipients", broadcast_id, len(whom))
            if resent := await ledger.requeue_interrupted(session, broadcast_id):
                log.warning("broadcast %s: %d interrupted sends go again", broadcast_id, resent)
            audiences = await subscriber_audiences(session, target)
            await session.commit()
        content = Content.from_json(broadcast.content)
        return broadcast, Courier(rt, broadcast_id, content, audiences)
