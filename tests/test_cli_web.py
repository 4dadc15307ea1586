"""`python -m bot web`: the staff panel as a process of its own (a panel instance behind nginx),
started for real against a migrated temporary SQLite and the fake Telegram server, stopped with
SIGTERM as systemd would.

It serves /healthz and /metrics, opens a sign-in link signed with the shared WEB_SECRET (as a
bot instance makes it), answers a ticket through its own Telegram messenger and shows invite
links starting at the bot's address, and a staff member removed there loses the staff menus in
Telegram; it never polls nor sets a webhook. With MAX_BOT_TOKEN alone it runs too, invite
links starting at the MAX bot's address. Without WEB_SECRET or
a bot token it stops with one Russian line naming the setting."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar

from bot.core.clock import SystemClock
from bot.services.staff import members, web_sessions
from bot.services.staff.roster import Roster
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, TEACHER, TOKEN, make_settings, process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.browser import free_port
from tests.helpers.panel import ticket

ROOT = Path(__file__).resolve().parent.parent
SECRET = "panel-secret-0123456789abcdef"


@asynccontextmanager
async def panel_process(
    tmp_path: Path, db_path: Path, port: int, **env: str
) -> AsyncIterator[Path]:
    """`python -m bot web` running until the block ends; yields its log file."""
    log = tmp_path / "web.log"
    environ = process_env(
        f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT), WEB_HOST="127.0.0.1",
        WEB_PORT=str(port), WEB_SECRET=SECRET, WEB_PUBLIC_URL="", LOG_LEVEL="INFO", **env,
    )  # fmt: skip
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "web", cwd=tmp_path, env=environ,
            stdout=asyncio.subprocess.DEVNULL, stderr=out,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "web mode" not in log.read_text() and process.returncode is None:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            await asyncio.sleep(0.1)
        assert process.returncode is None, log.read_text()[-3000:]
        yield log
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 40)
    assert code == 0, log.read_text()[-3000:]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:2000]
    return found.group(1)


async def test_the_panel_runs_alone(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker, server: FakeTelegramServer
) -> None:
    ticket_id = await ticket(sessionmaker, "когда запись на консультацию?")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # a bot instance with the same WEB_SECRET makes the link (its own WEB_PUBLIC_URL: here)
    signer = make_settings(db_path, web_secret=SECRET, web_port=port)
    now = SystemClock().now()
    async with sessionmaker() as session:  # TEACHER joined by an invite, in the bot
        repo = Repositories(session)
        made = await members.invite(repo, signer, ADMIN.id, now)
        roster = Roster(signer, sessionmaker)
        assert await members.accept(repo, signer, roster, made.token, TEACHER.id, now) == "joined"
    async with (
        panel_process(
            tmp_path,
            db_path,
            port,
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=server.url,
            ADMIN_IDS=str(ADMIN.id),
        ) as log,  # fmt: skip
        ClientSession(cookie_jar=CookieJar(unsafe=True)) as http,  # unsafe: cookies of an IP
    ):
        async with http.get(f"{base}/healthz") as health:
            assert health.status == 200 and (await health.json())["status"] == "ok"
        async with http.get(f"{base}/metrics") as metrics:
            assert metrics.status == 200
        forged = make_settings(db_path, web_secret="another-secret", web_port=port)
        async with http.get(web_sessions.login_link(forged, ADMIN.id, "Анна", now)) as refused:
            assert refused.status == 403
        link = web_sessions.login_link(signer, ADMIN.id, "Анна Методист", now)
        assert link.startswith(f"{base}/web/login?t=")
        async with http.get(link) as entered:
            assert entered.status == 200 and "Вход выполнен" in await entered.text()
        async with http.get(f"{base}/web/tickets/{ticket_id}") as page:
            assert page.status == 200
            html = await page.text()
            assert "Анна Методист" in html and "когда запись на консультацию?" in html
        # the answer reaches the parent in Telegram through this process's own Bot
        answer = {"text": "Запись открыта с понедельника.", "csrf": _csrf(html)}
        async with http.post(f"{base}/web/tickets/{ticket_id}/answer", data=answer) as done:
            assert done.status == 200
        sent = await server.next_message(PARENT.id, timeout=15)
        assert "Запись открыта с понедельника." in (sent.text or "")
        # invite links start at the bot's address, learnt from getMe at start
        async with http.post(f"{base}/web/staff/invite", data={"csrf": _csrf(html)}) as made:
            assert made.status == 200
            assert f"https://t.me/{server.bot_username}?start=staff_" in await made.text()
        # removed here: the staff menus leave the teacher's Telegram at once, as in the bot
        person = {"csrf": _csrf(html), "person": str(TEACHER.id)}
        async with http.post(f"{base}/web/staff/remove", data=person) as removed:
            assert removed.status == 200 and "Сотрудник удалён" in await removed.text()
        await server.wait_for("deleteMyCommands", timeout=15)
    methods = set(server.stats)  # every request, getUpdates included
    assert {"getme", "sendmessage", "deletemycommands"} <= methods
    assert not methods & {"getupdates", "setwebhook", "deletewebhook", "setmycommands"}
    text = log.read_text()
    assert "Traceback" not in text and "background jobs" not in text


async def test_a_max_only_panel(tmp_path: Path, db_path: Path, sessionmaker: SessionMaker) -> None:
    """MAX_BOT_TOKEN alone: the panel runs, and invite links start at the MAX bot's address."""
    owner = 50_000_000_001
    async with sessionmaker() as session:  # the MAX owner has written to the bot
        internal = await Repositories(session).channel_ids.internal("max", "user", owner)
        await session.commit()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    signer = make_settings(db_path, web_secret=SECRET, web_port=port)
    link = web_sessions.login_link(signer, internal, "Анна Петрова", SystemClock().now())
    async with (
        FakeMaxServer() as fake,
        panel_process(
            tmp_path,
            db_path,
            port,
            MAX_BOT_TOKEN=fake.token,
            MAX_API_URL=fake.url,
            MAX_ADMIN_IDS=str(owner),
        ),  # fmt: skip
        ClientSession(cookie_jar=CookieJar(unsafe=True)) as http,
    ):
        async with http.get(f"{base}/healthz") as health:
            assert health.status == 200
        async with http.get(link) as entered:
            assert entered.status == 200
        async with http.get(f"{base}/web/staff") as page:
            html = await page.text()
            assert page.status == 200 and "Анна Петрова" in html
        async with http.post(f"{base}/web/staff/invite", data={"csrf": _csrf(html)}) as made:
            assert made.status == 200
            assert "https://max.ru/moc_test_bot?start=staff_" in await made.text()


def _web(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *(env.pop("ARGS", "web").split())],
        cwd=tmp_path,  # no .env here: only the environment counts
        env=base | env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BOT_TOKEN": TOKEN, "WEB_SECRET": ""}, ("WEB_SECRET",)),
        ({"WEB_SECRET": SECRET}, ("BOT_TOKEN", "MAX_BOT_TOKEN")),
    ],
)
def test_a_missing_setting_is_named(
    tmp_path: Path, env: dict[str, str], named: tuple[str, ...]
) -> None:
    done = _web(tmp_path, **env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ошибка:"), done.stderr
    assert all(name in lines[0] for name in named), lines[0]
    assert not (tmp_path / "b.db").exists()  # refused before touching anything


def test_help_lists_the_command(tmp_path: Path) -> None:
    done = _web(tmp_path, ARGS="--help")
    assert done.returncode == 0
    assert re.search(r"^\s+web\s+только веб-панель сотрудников", done.stdout, re.M), done.stdout
