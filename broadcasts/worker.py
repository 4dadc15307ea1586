"""The broadcast worker: finds due broadcasts in the database and delivers them.

Delivery guarantee, as for a mail queue: every recipient gets the message at least once, and
exactly once unless a process dies mid-send. Each ledger row is claimed (pending → sending) and
committed before its send; a process killed between a send and writing its outcome leaves the
row `sending`, and whoever resumes the broadcast sends it again. So the only possible
duplicates are the sends in flight at the moment of a crash: at most `concurrency` (8) per
crash. Nothing is dropped silently: every row ends `sent`, `blocked` or `failed` (with
Telegram's reason, after bounded retries), or stays `pending` (cancelled, or the bot stopped)
until someone delivers it. Up to `max_jobs` broadcasts go out side by side and share one rate
limit, so an event's cancellation notice to 30 teachers is not held for the 80 s that a
2,000-chat announcement takes at 25/s.

Several instances may run: a broadcast is claimed by a conditional UPDATE and kept with a
heartbeat; one whose heartbeat is older than `lease_seconds` is taken over (its instance died);
the same `instance_id` takes its own claim back at once after a restart, so give each process a
stable id of its own (two live processes must never share one). A broadcast due more than
`grace_minutes` ago (the bot was down) is marked MISSED and its author told, not sent late; a
half-sent one whose sending stopped more than `resume_minutes` ago is held for its author to
decide (`broadcasts.paused`), and one cancelled while nobody was sending it is reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial

from bot.core.clock import Clock
from broadcasts import closing, paused
from broadcasts.audience import recipients, subscriber_audiences, target_of
from broadcasts.channel import Channel
from broadcasts.content import Content
from broadcasts.courier import Courier
from broadcasts.job import Job
from broadcasts.limiter import Priority, RateLimiter, current_priority
from broadcasts.runtime import GroupGone, Options, Runtime, Vet
from storage.db import SessionMaker
from storage.models import Broadcast
from storage.repositories import Repositories

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
        max_jobs: int = 3,
        poll_seconds: float = 5.0,
        grace_minutes: int = 60,
        lease_seconds: int = 60,
        resume_minutes: int = 120,
        tz: tzinfo = UTC,
        options: Options | None = None,
        limiter: RateLimiter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_gone: GroupGone | None = None,
        vet: Vet | None = None,
    ) -> None:
        opts = replace(options or Options(), concurrency=concurrency)
        opts = replace(opts, heartbeat_every=min(opts.heartbeat_every, lease_seconds / 3))
        limiter = limiter or RateLimiter(rate, clock=monotonic)
        self._rt = Runtime(
            sessionmaker, channel, limiter, clock, instance_id, opts, monotonic, on_gone=on_gone,
            vet=vet,
        )  # fmt: skip
        self._poll, self._tz = poll_seconds, tz
        self._grace = timedelta(minutes=grace_minutes)
        self._lease = timedelta(seconds=lease_seconds)
        self._resume = timedelta(minutes=resume_minutes)
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._max_jobs = max_jobs
        self._jobs: dict[int, asyncio.Task[None]] = {}  # broadcast id → its delivery
        self._failed: dict[int, float] = {}  # broadcast id → monotonic time of the next try

    async def run_once(self) -> None:
        """Mark missed broadcasts, deliver every due one, and return when they are all done."""
        while (await self._start_due()) or self._jobs:
            if self._jobs:
                await asyncio.wait(list(self._jobs.values()), return_when=FIRST_COMPLETED)
            if self._rt.stopping.is_set():
                break
        await self._drain()

    async def run_forever(self) -> None:
        current_priority.set(Priority.BROADCAST)  # the author's reports too: they can wait
        while not self._rt.stopping.is_set():
            try:
                await self._start_due()
            except Exception:  # the database was unreachable: try again next poll
                log.exception("broadcast worker pass failed")
            # a creator's wake(), a finished job (a free slot) or the next poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()
        await self._drain()

    async def _start_due(self) -> int:
        """Start a job for each due broadcast we may take, soonest first; how many started."""
        rt = self._rt
        async with self._pass:  # one look at a time: our own claims are re-claimable by us
            await closing.expire_missed(rt, self._grace, self._tz)
            await paused.hold_stale(rt, self._lease, self._resume, self._tz, self._jobs)
            await closing.report_cancels(rt, self._lease, self._jobs)
            async with rt.repos() as repo:
                due = await repo.broadcasts.claimable_ids(
                    rt.instance_id, rt.clock.now(), self._grace, self._lease, self._resume
                )
            started = 0
            for broadcast_id in due:
                if rt.stopping.is_set() or len(self._jobs) >= self._max_jobs:
                    break
                if (
                    broadcast_id in self._jobs
                    or self._failed.get(broadcast_id, 0) > rt.monotonic()
                ):
                    continue
                job = asyncio.create_task(
                    self._run_job(broadcast_id), name=f"broadcast-{broadcast_id}"
                )
                self._jobs[broadcast_id] = job
                job.add_done_callback(partial(self._finished, broadcast_id))
                started += 1
            return started

    async def _run_job(self, broadcast_id: int) -> None:
        try:
            await self._process(broadcast_id)
        except Exception:  # one broken broadcast must not stop the others
            log.exception("broadcast %s failed; retried in %.0f s", broadcast_id, self._poll)
            self._failed[broadcast_id] = self._rt.monotonic() + self._poll

    def _finished(self, broadcast_id: int, _job: asyncio.Task[None]) -> None:
        self._jobs.pop(broadcast_id, None)
        self._wake.set()  # a slot is free: look for due broadcasts now

    async def _drain(self) -> None:
        if self._jobs:
            await asyncio.gather(*self._jobs.values(), return_exceptions=True)

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
        async with rt.repos() as repo:
            claimed = await repo.broadcasts.claim(
                broadcast_id, rt.instance_id, now, self._grace, self._lease, self._resume
            )
            await repo.commit()
        if not claimed:
            return None
        async with rt.repos() as repo:
            broadcast = await repo.broadcasts.get_one(broadcast_id)
            target = target_of(broadcast)
            whom = await recipients(repo.session, target)
            content, note = Content.from_json(broadcast.content), ""
            if await repo.deliveries.materialise(broadcast_id, whom, now):
                log.info("broadcast %s: ledger of %d recipients", broadcast_id, len(whom))
                content, note = await self._vetted(repo, broadcast, content, now)
            if resent := await repo.deliveries.requeue_interrupted(broadcast_id):
                log.warning("broadcast %s: %d interrupted sends go again", broadcast_id, resent)
            audiences = await subscriber_audiences(repo.session, target)
            await repo.commit()
        if note and broadcast.author_id is not None:  # once: the next week copies the content
            await rt.limiter.acquire(broadcast.author_id)
            await rt.channel.notify(broadcast.author_id, note)
        return broadcast, Courier(rt, broadcast_id, content, audiences, target)

    async def _vetted(
        self, repo: Repositories, broadcast: Broadcast, content: Content, now: datetime
    ) -> tuple[Content, str]:
        """The content this occurrence goes with (stored, so a weekly series' next week is
        booked with it) and what its author is told; checked once, as its ledger is written."""
        vetted = await self._rt.vet(repo, broadcast, now) if self._rt.vet else None
        if vetted is None:
            return content, ""
        broadcast.content = vetted[0].to_json()
        return vetted
