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


def upgrade_command(url: str, revision: str) -> int:
    """`db upgrade [REV]`: the revision the database is really at afterwards, or why not."""
    from alembic.util.exc import CommandError
    from sqlalchemy.engine import make_url

    from storage.migrate import applied_revision, head_revision, upgrade

    head = head_revision(url)
    try:
        upgrade(url, revision)
    except CommandError:
        return fail([f"ошибка: ревизии «{revision}» нет; последняя — {head} (или head)"])
    now = applied_revision(url)
    shown = make_url(url).render_as_string(hide_password=True)  # journald keeps it: no password
    print(f"база данных на ревизии {now}: {shown}")
    if revision not in ("head", now):  # Alembic's upgrade never goes back: nothing was done
        return fail([
            f"ошибка: база уже новее ревизии {revision} (она на {now}); "
            "db upgrade миграции назад не откатывает"
        ])  # fmt: skip
    return 0


def fail(lines: Sequence[str]) -> int:
    """Print each line to stderr; the exit status of a refused command."""
    for line in lines:
        print(line, file=sys.stderr)
    return 1
