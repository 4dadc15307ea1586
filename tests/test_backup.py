"""`python -m bot db backup`: a copy taken while the bot writes holds what the bot committed,
including what still sits in the WAL file, and is one self-contained file."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.app.backup import backup_sqlite
from bot.app.cli.main import main
from storage.db import create_engine, create_sessionmaker
from storage.models import ProcessedUpdate


def count(path: Path, table: str = "processed_updates") -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_backup_of_a_live_wal_database(db_path: Path, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{db_path}")
    sessionmaker = create_sessionmaker(engine)
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        rows = [{"update_id": i, "at": now} for i in range(1, 501)]
        await session.execute(insert(ProcessedUpdate), rows)
        await session.commit()
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.stat().st_size > 0  # the rows are in the WAL, not yet in bot.db

    stop = asyncio.Event()

    async def bot_keeps_writing() -> int:
        update_id = 1000
        while not stop.is_set():
            update_id += 1
            async with sessionmaker() as session:
                await session.execute(insert(ProcessedUpdate).values(update_id=update_id, at=now))
                await session.commit()
            await asyncio.sleep(0)
        return update_id - 1000

    writer = asyncio.create_task(bot_keeps_writing())
    try:
        await asyncio.sleep(0.05)
        target = tmp_path / "backups" / "bot-2026-11-25.db"
        size = await asyncio.to_thread(backup_sqlite, db_path, target)
    finally:
        stop.set()
        written_meanwhile = await writer
        await engine.dispose()

    assert written_meanwhile > 0
    assert size == target.stat().st_size > 0
    assert 500 <= count(target) <= 500 + written_meanwhile
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert not target.with_name(target.name + "-wal").exists()
    assert not list(target.parent.glob(".*partial"))


async def test_a_plain_copy_would_have_lost_the_wal(db_path: Path, tmp_path: Path) -> None:
    """Why the backup API: bot.db alone lacks the committed rows still in bot.db-wal."""
    engine = create_engine(f"sqlite+aiosqlite:///{db_path}")
    async with create_sessionmaker(engine)() as session:
        await session.execute(insert(ProcessedUpdate).values(update_id=7, at=datetime.now(UTC)))
        await session.commit()
    try:
        shutil.copy(db_path, tmp_path / "plain.db")
        backup_sqlite(db_path, tmp_path / "online.db")
    finally:
        await engine.dispose()
    assert count(tmp_path / "plain.db") == 0
    assert count(tmp_path / "online.db") == 1


def test_cli_prints_the_size_and_never_overwrites(
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db_path}")
    target = tmp_path / "copy.db"
    assert main(["db", "backup", str(target)]) == 0
    assert f"({target.stat().st_size:,} байт)" in capsys.readouterr().out
    assert main(["db", "backup", str(target)]) == 1
    assert "уже существует" in capsys.readouterr().err


def test_cli_points_postgresql_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://moc:hunter2@db.local:5432/moc")
    assert main(["db", "backup", str(tmp_path / "moc.dump")]) == 2
    out = capsys.readouterr().out
    assert "pg_dump --format=custom" in out and "postgresql://moc@db.local:5432/moc" in out
    assert "hunter2" not in out
    assert not (tmp_path / "moc.dump").exists()
