"""What every database CLI command needs: one session, one commit, and errors on stderr."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings

T = TypeVar("T")


def run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Open the database, run `work`, commit; an exception rolls everything back."""

    async def main() -> T:
        from storage.db import create_engine, create_sessionmaker

        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


def fail(lines: Sequence[str]) -> int:
    """Print each line to stderr; the exit status of a refused command."""
    for line in lines:
        print(line, file=sys.stderr)
    return 1
