"""A sysadmin's first PostgreSQL start: a wrong DATABASE_URL (a stopped server, a wrong
password, `postgresql://` without the async driver, an SQLite path that cannot be made) stops
every role with one Russian line naming DATABASE_URL and exit code 2 — not a SQLAlchemy or
asyncpg traceback — and never prints the password."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.migrate import head_revision
from tests.conftest import TOKEN, process_env

ROOT = Path(__file__).resolve().parent.parent
ROLES = [["db", "upgrade"], ["run", "--migrate"], ["worker"], ["web"]]


def _start(tmp_path: Path, args: list[str], database_url: str) -> tuple[int, str]:
    env = process_env(
        database_url,
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9",  # never reached: the database is checked first
        WEB_SECRET="panel-secret",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    return done.returncode, done.stderr


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("ошибка:")]
    assert len(lines) == 1, stderr
    return lines[0]


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("args", ROLES, ids=lambda a: a[0])
def test_an_unreachable_postgres_is_named(tmp_path: Path, args: list[str]) -> None:
    port = _dead_port()
    url = f"postgresql+asyncpg://moc:pa55word@127.0.0.1:{port}/moc"
    code, stderr = _start(tmp_path, args, url)
    assert code == 2, stderr[-2000:]
    line = _one_line(stderr)
    assert f"DATABASE_URL (postgresql+asyncpg://moc:***@127.0.0.1:{port}/moc)" in line
    assert "pa55word" not in stderr


@pytest.mark.parametrize("url", ["postgresql://moc@127.0.0.1/moc", "sqlite:///data/bot.db"])
def test_a_url_without_the_async_driver_is_named(tmp_path: Path, url: str) -> None:
    code, stderr = _start(tmp_path, ["db", "upgrade"], url)
    assert code == 2, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "DATABASE_URL: нужен адрес вида" in stderr and "postgresql+asyncpg://" in stderr


def test_an_sqlite_path_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the directory should be")
    code, stderr = _start(tmp_path, ["run"], f"sqlite+aiosqlite:///{tmp_path}/data/bot.db")
    assert code == 2, stderr[-2000:]
    line = _one_line(stderr)
    assert "DATABASE_URL" in line and "права на его каталог" in line


def test_db_upgrade_on_postgres_does_not_print_the_password(
    tmp_path: Path, pg_database: str
) -> None:
    """`ExecStartPre=… db upgrade` writes its output to the journal: the password stays out
    (the test server trusts local connections, so any password is accepted)."""
    url = make_url(pg_database).set(password="pa55word").render_as_string(hide_password=False)
    env = process_env(url, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"база данных на ревизии {head_revision(url)}: " in done.stdout  # the real one
    assert ":***@" in done.stdout
    assert "pa55word" not in done.stdout + done.stderr
