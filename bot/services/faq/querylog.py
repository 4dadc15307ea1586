"""Answered questions are logged in batches, off the path of the reply.

Most typed questions are answered straight from the knowledge base, and that answer needs
nothing from the log row. Writing the row first (an INSERT and a commit; on PostgreSQL a flush
to disk) only delays the reply, so such rows wait here and are written together: every
`interval` seconds, as soon as `batch` rows wait, and at shutdown. A reply whose buttons point
at its row («Спросить специалиста» under «не знаю», the suggestions) still writes it at once.
Readers of the log (/faq_stats, /my_data) flush first; /forget_me drops the user's waiting rows.
A crash loses at most `interval` seconds of statistics, never a question someone waits on.

A question answered directly is `hold`-ed until its answer is sent (maybe seconds later, behind
the outbound limiter), then `release`-d with the answer's message id: «Спросить специалиста»
under that answer finds the very question by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from datetime import timedelta
from typing import Any, Final

from bot.core.clock import Clock
from storage.db import SessionMaker
from storage.repositories import Repositories

log = logging.getLogger(__name__)
# a held row whose answer never reported back (an adapter that does not release) is written
# without its answer after this long: statistics do not wait for ever
HOLD_LIMIT: Final = timedelta(minutes=5)


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
        self._held: dict[int, dict[str, Any]] = {}
        self._keys = itertools.count(1)
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._flushes: set[asyncio.Task[int]] = set()

    def add(
        self, user_id: int, text: str, outcome: str, entry_id: str | None, score: float
    ) -> None:
        """Queue one row, stamped now; a full batch is written in the background."""
        self._queue(self._row(user_id, text, outcome, entry_id, score, None))

    def hold(
        self, user_id: int, text: str, entry_id: str, score: float, picture: int | None = None
    ) -> int:
        """A question answered from the knowledge base (`picture`: the message id of the
        photo or file whose caption it was), stamped now and kept back until its answer is
        sent; returns the key to `release` it with."""
        key = next(self._keys)
        self._held[key] = self._row(user_id, text, "answer", entry_id, score, picture)
        return key

    def release(self, key: int, answer_id: int | None) -> None:
        """The held question's answer went out as message `answer_id` in the asker's chat
        (None: it did not go out); the row joins the next batch."""
        row = self._held.pop(key, None)
        if row is not None:
            self._queue(row | {"answer_id": answer_id})

    def _row(
        self,
        user_id: int,
        text: str,
        outcome: str,
        entry_id: str | None,
        score: float,
        picture: int | None,
    ) -> dict[str, Any]:
        # every row has the same keys: one executemany INSERT takes them all
        return {
            "user_id": user_id, "text": text, "outcome": outcome, "entry_id": entry_id,
            "score": score, "created_at": self.clock.now(), "message_id": picture,
            "answer_id": None,
        }  # fmt: skip

    def _queue(self, row: dict[str, Any]) -> None:
        self._pending.append(row)
        if len(self._pending) >= self.batch and not self._flushes:
            task = asyncio.create_task(self.flush())
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    def discard(self, user_id: int) -> None:
        """Forget the user's waiting rows (they asked us to delete their data)."""
        self._pending = [row for row in self._pending if row["user_id"] != user_id]
        self._held = {k: row for k, row in self._held.items() if row["user_id"] != user_id}

    async def flush(self) -> int:
        """Write every waiting row in one transaction; on failure they wait for the next try."""
        async with self._lock:
            rows, self._pending = self._overdue() + self._pending, []
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

    def _overdue(self, everything: bool = False) -> list[dict[str, Any]]:
        """Held rows given up on: held past HOLD_LIMIT (or all of them, at shutdown)."""
        since = self.clock.now() - HOLD_LIMIT
        late = [k for k, row in self._held.items() if everything or row["created_at"] < since]
        return [self._held.pop(k) for k in late]

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
        self._pending = self._overdue(everything=True) + self._pending
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            await self.flush()
