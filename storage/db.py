"""Engine and session factory; SQLite gets the pragmas a busy bot needs."""

from __future__ import annotations

import contextvars
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from storage.busy import wait_out_busy

SessionMaker = async_sessionmaker[AsyncSession]
SQLITE_BUSY_TIMEOUT = 10.0  # seconds one wait for SQLite's write lock lasts (storage/busy.py)
# the session of the update being handled (handlers.tg.middlewares.DatabaseMiddleware)
current_session: contextvars.ContextVar[AsyncSession | None] = contextvars.ContextVar(
    "current_session", default=None
)


class TrackedSession(Session):
    """A Session that knows whether its transaction wrote anything (`info["wrote"]`)."""


@event.listens_for(TrackedSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info["wrote"] = True


@event.listens_for(TrackedSession, "after_flush")
def _on_flush(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


@event.listens_for(TrackedSession, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop("wrote", None)


async def release_idle_transaction() -> None:
    """End the current update's transaction if it only read, returning its connection.

    Called before a send waits for its slot: a handler that read and now waits a few seconds
    for Telegram must not hold a pooled connection meanwhile (200 people pressing one button
    would otherwise exhaust the pool). Objects stay loaded (expire_on_commit=False).
    """
    session = current_session.get()
    if session is None or not session.in_transaction():
        return
    if session.sync_session.info.get("wrote") or session.new or session.dirty or session.deleted:
        return
    await session.commit()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str) -> None:
    """Create the directory of a SQLite file so a fresh checkout just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a broadcast writes (the busy timeout, which turns
    # "database is locked" into a wait, is sqlite3's `timeout` connect argument); foreign
    # keys are off by default in SQLite; secure_delete zeroes deleted rows, so /forget_me
    # leaves nothing readable in the file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    max_overflow: int | None = None,
    busy_timeout: float = SQLITE_BUSY_TIMEOUT,
) -> AsyncEngine:
    """An async engine for `url`; SQLite files get WAL, a busy timeout (seconds; a test
    shortens it) that a write waits out up to `storage.busy.BUSY_TRIES` times, and foreign
    keys. A failed statement's error never shows its values (`hide_parameters`): it goes to
    the log and the admins' chat, and the values are names, phones, questions (152-ФЗ)."""
    if is_sqlite(url):
        ensure_sqlite_dir(url)
        # Sessions and `engine.begin()` always end their transaction, so the pool's own
        # rollback on check-in is a second round trip to SQLite's thread for nothing.
        # An in-memory database lives in one connection (StaticPool): no pool to size.
        sizes = (
            {}
            if ":memory:" in url
            else {
                "pool_size": pool_size,
                "max_overflow": 20 if max_overflow is None else max_overflow,
            }
        )
        engine = _create_async_engine(
            url, echo=echo, connect_args={"timeout": busy_timeout},
            pool_reset_on_return=None, hide_parameters=True, **sizes,
        )  # fmt: skip
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        wait_out_busy(engine.sync_engine, busy_timeout)
        return engine
    return _create_async_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=pool_size,
        max_overflow=10 if max_overflow is None else max_overflow, hide_parameters=True,
    )  # fmt: skip


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=TrackedSession)
