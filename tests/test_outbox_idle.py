"""An idle outbox poll reads and writes nothing: on SQLite, a poll every few seconds that took
the one write lock would make every person's write (a registration, a ticket) queue behind it,
and would itself fail while another process holds the lock."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import cast

from bot.services.outbox import OutboxChannel
from bot.services.outbox.worker import OutboxWorker
from storage.db import create_engine, create_sessionmaker


async def test_an_idle_poll_passes_while_another_process_writes(db_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{db_path}", busy_timeout=0.3)
    nobody = cast(OutboxChannel, None)  # never reached: nothing is stored
    worker = OutboxWorker(create_sessionmaker(engine), {"tg": nobody, "max": nobody})
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a broadcast's ledger write in another process
        started = time.monotonic()
        assert await worker.pass_once() is False
        assert time.monotonic() - started < 0.3  # no wait for the lock
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        await engine.dispose()
