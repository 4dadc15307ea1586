"""One claimed broadcast being delivered: feed ledger rows to at most `concurrency` couriers.

A watcher beside the feeder re-reads the broadcast every `check_every` seconds (an admin's
cancel or another instance's takeover halts the job within a second), renews the heartbeat
and edits the admin's progress message. On a halt, rows still waiting for the limiter are
dropped and stay pending; sends already claimed finish and are written down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from broadcasts import progress, report
from broadcasts.courier import Courier
from broadcasts.limiter import Priority
from broadcasts.runtime import Runtime
from storage.models import Broadcast, BroadcastState
from storage.repositories.deliveries import LedgerRow

log = logging.getLogger(__name__)
IDLE_WAIT = 0.2
MAX_SWEEPS = 3  # rows stuck `sending` after a courier broke, re-queued at most this often


class Job:
    def __init__(self, rt: Runtime, broadcast: Broadcast, courier: Courier) -> None:
        self._rt, self._courier, self._b = rt, courier, broadcast
        self._slots = rt.slots  # shared by the worker's jobs
        self._tasks: dict[int, asyncio.Task[None]] = {}  # row id → courier task
        self._waiting: set[int] = set()  # rows whose task still waits for the limiter
        self.ending = ""  # "", or why it stopped early: cancelled | lost | stopped
        self._editing: asyncio.Task[None] | None = None  # the progress edit under way
        # an event's notice (no audiences, its own list of users) goes before announcements
        self._priority = Priority.BROADCAST if broadcast.audiences else Priority.NOTICE

    async def run(self) -> str:
        """Deliver until no row is pending; returns "done" or the reason it stopped early."""
        watcher = asyncio.create_task(self._watch())
        try:
            await self._feed()
        finally:
            self._drop_waiting()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await self._stop_editing()
        return self.ending or "done"

    def _halted(self) -> bool:
        if self._rt.stopping.is_set() and not self.ending:
            self.ending = "stopped"
        return bool(self.ending)

    async def _feed(self) -> None:
        sweeps = 0
        while not self._halted():
            rows = await self._next_rows()
            for row in rows:
                await self._slots.acquire()
                if self._halted():
                    self._slots.release()
                    return
                self._spawn(row)
            if rows:
                continue
            if self._tasks or self._courier.retry_at:
                await self._idle()
            elif await self._next_rows():
                continue  # a task put its row back (a 429) while the look above left it out
            elif sweeps < MAX_SWEEPS and await self._sweep():
                sweeps += 1
            else:
                return

    async def _next_rows(self) -> list[LedgerRow]:
        now = self._rt.monotonic()
        retry_at = self._courier.retry_at
        for row_id in [r for r, at in retry_at.items() if at <= now]:
            del retry_at[row_id]
        exclude = {*self._tasks, *retry_at}
        async with self._rt.repos() as repo:
            return await repo.deliveries.pending(self._b.id, exclude, self._rt.options.batch)

    def _spawn(self, row: LedgerRow) -> None:
        self._waiting.add(row.id)
        task = asyncio.create_task(self._carry(row))
        self._tasks[row.id] = task
        task.add_done_callback(lambda _: self._done(row.id))

    def _done(self, row_id: int) -> None:
        self._tasks.pop(row_id, None)
        self._waiting.discard(row_id)  # a task cancelled before it started skips its finally
        self._slots.release()

    async def _carry(self, row: LedgerRow) -> None:
        try:
            cost = self._courier.cost(row.chat_id)
            await self._rt.limiter.acquire(row.chat_id, self._priority, cost=cost)
        finally:
            self._waiting.discard(row.id)
        if not self._halted():
            await self._courier.deliver(row)

    def _drop_waiting(self) -> None:
        for row_id in list(self._waiting):
            if task := self._tasks.get(row_id):
                task.cancel()

    async def _idle(self) -> None:
        if self._tasks:
            tasks = set(self._tasks.values())
            await asyncio.wait(tasks, timeout=IDLE_WAIT, return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.sleep(IDLE_WAIT)

    async def _sweep(self) -> bool:
        """Rows left `sending` by a courier that broke go back to pending (bounded)."""
        async with self._rt.repos() as repo:
            found = await repo.deliveries.requeue_interrupted(self._b.id)
            await repo.commit()
        if found:
            log.warning("broadcast %s: %d rows were stuck sending; retrying", self._b.id, found)
        return found > 0

    async def _watch(self) -> None:
        opts, now = self._rt.options, self._rt.monotonic
        beat_at = progress_at = now()
        while not self._halted():
            await asyncio.sleep(opts.check_every)
            beat = now() - beat_at >= opts.heartbeat_every
            try:
                if not await self._still_mine(beat):
                    self.ending = await self._why_not_mine()
                    self._drop_waiting()
                    return
                beat_at = now() if beat else beat_at
                if now() - progress_at >= opts.progress_every:
                    progress_at = now()
                    await self._show_progress()
            except Exception:  # a busy database must not stop the heartbeat for good
                log.exception("broadcast %s: watcher pass failed", self._b.id)

    async def _still_mine(self, beat: bool) -> bool:
        me, at = self._rt.instance_id, self._rt.clock.now()
        async with self._rt.repos() as repo:
            if not beat:
                return await repo.broadcasts.still_mine(self._b.id, me)
            mine = await repo.broadcasts.heartbeat(self._b.id, me, at)
            await repo.commit()
            return mine

    async def _why_not_mine(self) -> str:
        async with self._rt.repos() as repo:
            state = await repo.broadcasts.state(self._b.id)
        return "cancelled" if state == BroadcastState.CANCELLED else "lost"

    async def _show_progress(self) -> None:
        """Edit the admin's progress message beside the watcher: an edit waiting out its
        messenger's 429s (MAX's grow to half a minute) must not keep a cancel from being
        noticed. Skipped during a flood pause, or while the last edit still waits."""
        busy = self._editing is not None and not self._editing.done()
        if busy or progress.progress_of(self._b) is None or self._rt.limiter.paused_for() > 0:
            return
        async with self._rt.repos() as repo:
            text = report.progress_text(self._b.id, await repo.deliveries.counts(self._b.id))
        self._editing = asyncio.create_task(self._edit(text))

    async def _edit(self, text: str) -> None:
        try:
            await progress.show(self._rt, self._b, text)
        except Exception:  # a busy database: the next pass edits again
            log.exception("broadcast %s: progress edit failed", self._b.id)

    async def _stop_editing(self) -> None:
        """The final report comes next: an edit still waiting must not land after it."""
        if self._editing is not None:
            self._editing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._editing
