"""Answered questions are logged in batches, off the path of the reply.

Most typed questions are answered straight from the knowledge base, and that answer needs
nothing from the log row. Writing the row first (an INSERT and a commit; on PostgreSQL a flush
to disk) only delays the reply, so such rows wait here and are written together: every
`interval` seconds, as soon as `batch` rows wait, and at shutdown. A reply whose buttons point
at its row («Спросить специалиста» under «не знаю», the suggestions) still writes it at once.
Readers of the log (/faq_stats, /my_data) flush first; /forget_me drops the user's waiting rows.
A crash loses at most `interval` seconds of statistics, never a question someone waits on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.core.clock import Clock
from storage.db import SessionMaker
from storage.repositories import Repositories

log = logging.getLogger(__name__)


class QueryLog:
    """A write-behind buffer of `faq_queries` rows, one per process."""

    def __init__(
        self,
        sessionmaker: SessionMaker,
        clock: Clock,
        *,
        interval: float = 1.0,
        batch: int = 200,
        max_pending: int = 20_000,
    ) -> None:
        self.sessionmaker, self.clock = sessionmaker, clock
        self.interval, self.batch, self.max_pending = interval, batch, max_pending
        self._pending: list[dict[str, Any]] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._flushes: set[asyncio.Task[int]] = set()

    def add(
        self, user_id: int, text: str, outcome: str, entry_id: str | None, score: float
    ) -> None:
        """Queue one row, stamped now; a full batch is written in the background."""
        row = {"user_id": user_id, "text": text, "outcome": outcome, "entry_id": entry_id}
        self._pending.append(row | {"score": score, "created_at": self.clock.now()})
        if len(self._pending) >= self.batch and not self._flushes:
            task = asyncio.create_task(self.flush())
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    def discard(self, user_id: int) -> None:
        """Forget the user's waiting rows (they asked us to delete their data)."""
        self._pending = [row for row in self._pending if row["user_id"] != user_id]

    async def flush(self) -> int:
        """Write every waiting row in one transaction; on failure they wait for the next try."""
        async with self._lock:
            rows, self._pending = self._pending, []
            if not rows:
                return 0
            try:
                async with self.sessionmaker() as session:
                    repo = Repositories(session)
                    written = await repo.faq_log.add_many(rows)
                    await repo.commit()
            except Exception:
                log.exception("could not write %d FAQ log rows; will retry", len(rows))
                self._requeue(rows)
                return 0
            return written

    def _requeue(self, rows: list[dict[str, Any]]) -> None:
        merged = rows + self._pending
        if len(merged) > self.max_pending:  # the database is gone for long: keep the newest
            log.warning("FAQ log: dropped %d unwritten rows", len(merged) - self.max_pending)
            merged = merged[-self.max_pending :]
        self._pending = merged

    def start(self) -> None:
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="faq-query-log")

    async def stop(self) -> None:
        """Stop the timer and write what is left (shutdown).

        The timer is asked to stop, never cancelled: a cancel in the middle of a write would
        lose the rows it had taken.
        """
        if self._task is not None:
            self._stopping.set()
            await self._task
            self._task = None
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            await self.flush()
