"""What every database CLI command needs: one session, one commit, and errors on stderr."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings

T = TypeVar("T")


class DatabaseDown(RuntimeError):
    """The database server did not answer (asyncpg raises the OS's own ConnectionRefusedError,
    which a command reading a file would take for its file's problem)."""

    def __init__(self, orig: OSError | TimeoutError) -> None:
        super().__init__(str(orig))
        self.orig = orig


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
        except (OSError, TimeoutError) as exc:  # the work itself reads no files
            raise DatabaseDown(exc) from exc
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


def database_failure(url: str, exc: BaseException) -> int:
    """A database command that failed on the database: why, and the one step that helps.
    «db upgrade» only helps a database without the bot's tables; a DATABASE_URL naming a text
    file, a folder or a stopped server needs DATABASE_URL fixed (shown without its password)."""
    from sqlalchemy.engine import make_url

    from bot.core.file_errors import database_reason

    reason = getattr(exc, "orig", None) or exc
    said = str(reason).lower()
    detail = "сервер не ответил вовремя" if isinstance(reason, TimeoutError) else None
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    missing = "no such table" in said or "no such column" in said  # SQLite's words
    missing |= "does not exist" in said and 'database "' not in said  # PostgreSQL's (not the base)
    if missing:
        hint = (
            "Если база новая или бот обновлён, выполните: python -m bot db upgrade; если нет — "
            f"проверьте DATABASE_URL (сейчас: {shown})"
        )
    elif parsed.get_backend_name() == "sqlite":
        hint = f"Проверьте путь к файлу базы в DATABASE_URL (сейчас: {shown})"
    else:
        hint = (
            f"Проверьте DATABASE_URL (сейчас: {shown}): запущен ли сервер, верны ли адрес, "
            "пользователь, пароль и имя базы"
        )
    return fail([
        f"ошибка базы данных: {detail or database_reason(reason)}",
        hint,
    ])  # fmt: skip


def fail(lines: Sequence[str]) -> int:
    """Print each line to stderr; the exit status of a refused command."""
    for line in lines:
        print(line, file=sys.stderr)
    return 1
