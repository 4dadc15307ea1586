"""The process roles as an operator starts them: `python -m bot run` in webhook mode (with and
without jobs) and `python -m bot worker`, each stopped with SIGTERM like systemd does."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.conftest import PARENT, TOKEN
from tests.fakes.telegram_api import FakeTelegramServer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "role-test-secret"
LISTENING = re.compile(r"(?:listening on|/metrics on) 127\.0\.0\.1:(\d+)")


@dataclass
class Process:
    proc: asyncio.subprocess.Process
    port: int = 0
    log: list[str] = field(default_factory=list)

    async def read_until(self, pattern: re.Pattern[str], timeout: float = 30) -> re.Match[str]:  # noqa: ASYNC109
        assert self.proc.stderr is not None
        async with asyncio.timeout(timeout):
            while line := (await self.proc.stderr.readline()).decode():
                self.log.append(line)
                if found := pattern.search(line):
                    return found
        raise AssertionError(f"no {pattern.pattern!r} in the log:\n{''.join(self.log)}")

    async def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.stderr is not None
        _, rest = await asyncio.wait_for(self.proc.communicate(), 30)
        self.log.append(rest.decode() if rest else "")
        return await self.proc.wait()


@asynccontextmanager
async def role(
    args: list[str], server: FakeTelegramServer, db_path: Path, **env: str
) -> AsyncIterator[Process]:
    environ = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": "0",
        "LOG_LEVEL": "INFO",
        **env,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    process = Process(proc)
    try:
        process.port = int((await process.read_until(LISTENING)).group(1))
        yield process
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_worker_runs_jobs_without_taking_updates(
    server: FakeTelegramServer, db_path: Path
) -> None:
    async with role(["worker"], server, db_path) as worker:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{worker.port}") as http:
            async with http.get("/healthz") as response:
                assert response.status == 200
            async with http.get("/metrics") as response:
                assert "moc_reminders_sent_total 0.0\n" in await response.text()
        assert await worker.terminate() == 0
    log = "".join(worker.log)
    assert "background jobs only" in log and "worker stopping" in log
    assert server.stats["getupdates"] == 0 and server.stats["setwebhook"] == 0


async def test_run_in_webhook_mode_answers_and_stops_on_sigterm(
    server: FakeTelegramServer, db_path: Path
) -> None:
    webhook = {"WEBHOOK_URL": "https://bot.example.org/tg", "WEBHOOK_SECRET": SECRET}
    async with role(["run", "--no-jobs"], server, db_path, **webhook) as bot:
        update = server.user_sends("/start", user=PARENT)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{bot.port}") as http:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post("/tg", json=update, headers=headers) as response:
                assert response.status == 200
        assert "МОЦ" in ((await server.next_message(PARENT.id)).text or "")
        await bot.read_until(re.compile("background jobs off"))
        assert await bot.terminate() == 0
    log = "".join(bot.log)
    assert "finishing updates in flight" in log
    assert "background jobs started" not in log and server.stats["getupdates"] == 0
