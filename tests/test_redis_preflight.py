"""REDIS_URL set but Redis down: every role stops with one Russian line naming REDIS_URL (its
password masked), as README promises — the worker and the panel too, which would otherwise pace
their sends alone and overrun the bot's limit together with the other instances."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TOKEN, process_env

ROOT = Path(__file__).resolve().parent.parent


def _start(db_path: Path, args: list[str], redis_url: str) -> tuple[int, str]:
    env = process_env(
        f"sqlite+aiosqlite:///{db_path}",
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9",  # never reached: Redis is checked first
        WEB_SECRET="panel-secret",
        WEB_PORT="0",
        REDIS_URL=redis_url,
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=db_path.parent, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    return done.returncode, done.stderr


@pytest.mark.parametrize("args", [["worker"], ["web"]], ids=lambda a: a[0])
def test_a_worker_or_panel_without_its_redis_stops(db_path: Path, args: list[str]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, stderr = _start(db_path, args, f"redis://:s3cret@127.0.0.1:{port}/0")
    assert code == 2, stderr[-2000:]
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("ошибка:")]
    assert len(lines) == 1, stderr
    assert f"REDIS_URL: Redis по адресу redis://:***@127.0.0.1:{port}/0" in lines[0]
    assert "s3cret" not in stderr


def test_a_redis_url_of_the_wrong_scheme_is_named(db_path: Path) -> None:
    code, stderr = _start(db_path, ["worker"], "127.0.0.1:6379")
    assert code == 2, stderr[-2000:]
    assert "Traceback" not in stderr and "REDIS_URL: нужен адрес вида redis://" in stderr
