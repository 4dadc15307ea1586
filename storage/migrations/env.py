"""Alembic environment: async engine, SQLite batch mode, metadata from storage.models."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import create_engine, is_sqlite
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection | None, url: str) -> None:
    context.configure(
        connection=connection,
        url=None if connection is not None else url,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(url),  # SQLite cannot ALTER most things in place
        compare_type=True,
        # new revisions name our column types as `storage.models.X` (their template imports
        # the package), whichever module of storage/models/ defines them
        user_module_prefix="storage.models.",
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection, str(config.get_main_option("sqlalchemy.url")))
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


def main() -> None:
    url = str(config.get_main_option("sqlalchemy.url"))
    if context.is_offline_mode():
        _configure(None, url)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(url))


main()
