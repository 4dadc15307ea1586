"""`python -m bot run` (what `make run` starts) refuses clearly when it cannot work."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app.factory import create_bot
from bot.app.preflight import check_bot_token
from bot.core.config import SettingsError
from tests.conftest import make_settings, process_env
from tests.fakes.telegram_api import FakeTelegramServer

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--migrate"],
        cwd=tmp_path,  # no .env here: only the environment counts
        env=base | env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_without_a_token_it_names_env_example(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode != 0
    assert "BOT_TOKEN не задан" in done.stderr and ".env.example" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    done = _run(tmp_path, BOT_TOKEN="123:abc", TIMEZONE="Europe/Mordor")
    assert done.returncode != 0
    assert "TIMEZONE: неизвестный часовой пояс 'Europe/Mordor'" in done.stderr
    assert "Traceback" not in done.stderr


# --- issue 13, item 14: a bad token is one Russian line and exit code 2, not a traceback ---


async def _run_async(tmp_path: Path, **env: str) -> tuple[int, str]:
    """Like _run, but the event loop stays free to serve the fake Bot API meanwhile."""
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--migrate",
        cwd=tmp_path, env=base | env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def _one_russian_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("ошибка:")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("token", ["123456:ABC DEF", "not-a-token", "abc:DEF"])
def test_a_token_of_the_wrong_shape_is_named(tmp_path: Path, token: str) -> None:
    done = _run(tmp_path, BOT_TOKEN=token)
    assert done.returncode == 2
    line = _one_russian_line(done.stderr)
    assert "BOT_TOKEN" in line and "@BotFather" in line
    assert token.strip() not in line  # the token itself stays out of logs and screens


async def test_a_revoked_token_is_named(tmp_path: Path, server: FakeTelegramServer) -> None:
    code, stderr = await _run_async(
        tmp_path, BOT_TOKEN="654321:REVOKED-token", TELEGRAM_API_URL=server.url
    )
    assert code == 2
    line = _one_russian_line(stderr)
    assert "BOT_TOKEN" in line and "@BotFather" in line and "REVOKED" not in line


async def test_an_unreachable_api_is_named(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, stderr = await _run_async(
        tmp_path, BOT_TOKEN="123456:MADE-UP", TELEGRAM_API_URL=f"http://127.0.0.1:{port}"
    )
    assert code == 2
    line = _one_russian_line(stderr)
    assert "TELEGRAM_API_URL" in line and f"127.0.0.1:{port}" in line and "MADE-UP" not in line


async def test_no_network_without_telegram_api_url_names_the_network(tmp_path: Path) -> None:
    """The default api.telegram.org unreachable (played by a dead local port, never the real
    one): the line says to check the network, not TELEGRAM_API_URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(tmp_path / "x.db", bot_token="123456:MADE-UP")
    session = AiohttpSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}"))
    bot = create_bot(settings, session=session)
    try:
        with pytest.raises(SettingsError) as caught:
            await check_bot_token(bot, settings)
    finally:
        await bot.session.close()
    message = str(caught.value)
    assert "api.telegram.org" in message and "интернет" in message
    assert "TELEGRAM_API_URL (" not in message and "MADE-UP" not in message
