"""`python -m bot worker` refuses a MAX_BOT_TOKEN that MAX does not accept, as `run` and `web`
do: one Russian line naming the setting and exit code 2 — not a worker that starts and then
fails every reminder and broadcast to MAX only in its log."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

from tests.conftest import TOKEN, process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer

ROOT = Path(__file__).resolve().parent.parent


async def _worker(db_path: Path, **env: str) -> tuple[int | None, str]:
    base = process_env(f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "worker",
        cwd=db_path.parent, env=base | {"WEB_HOST": "127.0.0.1", "WEB_PORT": "0"} | env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:  # it started serving instead of refusing
        process.kill()
        _, stderr = await process.communicate()
        return None, stderr.decode()
    return process.returncode, stderr.decode()


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("ошибка:")]
    assert len(lines) == 1, stderr
    return lines[0]


async def test_a_max_only_worker_with_a_refused_token_stops(
    db_path: Path, max_server: FakeMaxServer
) -> None:
    code, stderr = await _worker(
        db_path, MAX_BOT_TOKEN="wrong-max-token", MAX_API_URL=max_server.url
    )
    assert code == 2, stderr[-2000:]
    line = _one_line(stderr)
    assert "MAX_BOT_TOKEN" in line and "wrong-max-token" not in line


async def test_a_worker_with_both_tokens_checks_max_too(
    db_path: Path, server: FakeTelegramServer
) -> None:
    with socket.socket() as probe:  # a port nobody listens on plays an unreachable MAX API
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, stderr = await _worker(
        db_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.url,
        MAX_BOT_TOKEN="some-max-token",
        MAX_API_URL=f"http://127.0.0.1:{port}",
    )
    assert code == 2, stderr[-2000:]
    line = _one_line(stderr)
    assert "MAX_API_URL" in line and f"127.0.0.1:{port}" in line and "some-max-token" not in line
