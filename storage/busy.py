"""Every SQLite write waits out a busy database for up to `BUSY_TRIES` busy timeouts.

SQLite has one write lock. A writer that cannot get it waits the busy timeout (`timeout` of
sqlite3, storage/db.py) and then fails with «database is locked» — after a long import, a
backup or a checkpoint, that lost whatever a person had just done: the update's claim and
their user row (written before any handler runs), a dialog step, a question to staff.

Running such a statement again is always safe. SQLite says «database is locked» only to a
statement that asked for the write lock and did not get it, and in WAL mode a transaction keeps
the lock from its first write to its end, so the statement changed nothing and its transaction
has written nothing: that is its first write (pysqlite opens the transaction right before it).
Nothing above the statement runs twice either — no message is sent again; the only cost is
the wait. (Not BEGIN IMMEDIATE: that would queue every transaction for the lock, even one that
only reads.) PostgreSQL waits on its row locks instead and never says this, so only SQLite
engines get the rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

BUSY_TRIES = 3  # a write waits up to three busy timeouts (30 s by default) before it fails


def is_busy(error: BaseException) -> bool:
    """SQLite's «database is locked» (the driver's error, or SQLAlchemy's around it)."""
    return "database is locked" in str(getattr(error, "orig", None) or error)


def wait_out_busy(engine: Engine, busy_timeout: float) -> None:
    """Every statement of `engine` (a SQLite one) that finds the write lock busy past the busy
    timeout runs again, up to `BUSY_TRIES` times in all (`DialectEvents.do_execute*`, which
    run the statement on the driver's cursor)."""
    dialect = engine.dialect

    def patiently(statement: str, run: Callable[[], object]) -> bool:
        for attempt in range(1, BUSY_TRIES + 1):
            try:
                run()
                return True  # the statement ran: SQLAlchemy does not run it again
            except Exception as error:
                if attempt == BUSY_TRIES or not is_busy(error):
                    raise
                log.warning(
                    "SQLite stayed locked for %.1f s; %s… waits again (%d of %d)",
                    busy_timeout, statement[:40], attempt + 1, BUSY_TRIES,
                )  # fmt: skip
        raise AssertionError("unreachable")

    @event.listens_for(engine, "do_execute")
    def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        return patiently(
            statement, lambda: dialect.do_execute(cursor, statement, parameters, context)
        )

    @event.listens_for(engine, "do_executemany")
    def _executemany(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        rows = list(parameters)  # a second run must see every row again
        return patiently(
            statement, lambda: dialect.do_executemany(cursor, statement, rows, context)
        )

    @event.listens_for(engine, "do_execute_no_params")
    def _execute_no_params(cursor: Any, statement: str, context: Any) -> bool:
        return patiently(
            statement, lambda: dialect.do_execute_no_params(cursor, statement, context)
        )
