"""`python -m bot db backup FILE`: a consistent copy of the database while the bot runs.

SQLite: the online backup API (`sqlite3.Connection.backup`) reads a snapshot, so the copy is
consistent even in WAL mode with the bot writing; a plain `cp bot.db` would miss whatever
still sits in `bot.db-wal`. The copy is written next to FILE and renamed into place, so a
crash never leaves half a backup, and switched to a rollback journal so it is one
self-contained file. PostgreSQL: pg_dump does this properly; we print its command line and
exit 2 rather than pretend.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup that cannot be made, with the reason for the operator."""


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy `source` to `target` (which must not exist); return the size in bytes."""
    if not source.is_file():
        raise BackupError(f"нет файла базы данных: {source}")
    if target.exists():
        raise BackupError(
            f"{target} уже существует; укажите новое имя (копии не перезаписываются)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # one step: a WAL reader's snapshot never blocks the bot's writes
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"копия не прошла проверку целостности: {check}")
    finally:
        dst.close()
        src.close()
    os.replace(partial, target)
    return target.stat().st_size


def pg_dump_command(url: str, target: Path) -> str:
    """pg_dump's command line for a SQLAlchemy URL; the password stays out of it."""
    u = make_url(url)
    dsn = URL.create("postgresql", u.username, None, u.host, u.port, u.database, u.query)
    return f"pg_dump --format=custom --file '{target}' '{dsn.render_as_string()}'"


def backup_command(url: str, target: Path) -> int:
    """The CLI: 0 with the size printed, 1 on failure, 2 when another tool must do it."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            print("ошибка: у базы в памяти нечего копировать", file=sys.stderr)
            return 1
        try:
            size = backup_sqlite(Path(str(parsed.database)), target)
        except (BackupError, sqlite3.Error) as exc:
            print(f"ошибка: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            from bot.core.file_errors import why

            print(f"ошибка: не удалось записать копию {target}: {why(exc)}", file=sys.stderr)
            return 1
        print(f"копия записана: {target} ({size:,} байт) из {parsed.database}")
        return 0
    if backend == "postgresql":
        print("PostgreSQL копируется своим инструментом (пароль — из ~/.pgpass или PGPASSWORD):")
        print(f"  {pg_dump_command(url, target)}")
        print(f"восстановление: pg_restore --clean --no-owner --dbname '<url>' '{target}'")
        return 2
    print(f"ошибка: для баз {backend} копию делает их собственный инструмент", file=sys.stderr)
    return 2
