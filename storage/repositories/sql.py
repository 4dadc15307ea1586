"""SQL idioms the repositories share, written once for SQLite and PostgreSQL.

`affected` runs a conditional UPDATE or DELETE and says how many rows it changed: that number,
not a Python flag, is how a caller learns it won a claim (a seat, a ledger row, a broadcast).
`insert_ignore` is INSERT … ON CONFLICT DO NOTHING, which makes materialising a ledger or
recording an «Ознакомлен» idempotent under races.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def affected(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE/DELETE/INSERT; how many rows it changed."""
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount


def _insert_ignoring(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    raise NotImplementedError(f"INSERT … ON CONFLICT DO NOTHING for {dialect}")


async def insert_ignore(
    session: AsyncSession, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert the rows that do not collide with a unique key (one executemany)."""
    if rows:
        await session.execute(_insert_ignoring(session, model), list(rows))


async def insert_once(session: AsyncSession, model: type[DeclarativeBase], **row: Any) -> bool:
    """Insert one row unless its unique key exists; True when this call inserted it."""
    return await affected(session, _insert_ignoring(session, model).values(**row)) == 1
