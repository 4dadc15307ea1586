"""Issue 11: `python -m bot run` with only MAX_BOT_TOKEN runs a MAX-only bot; a bad MAX token
or an unreachable MAX API is one Russian line and exit code 2; MAX's webhook refuses a wrong
secret and serves the right one (the fake MAX server delivers to it with X-Max-Bot-Api-Secret)."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.app.web import MAX_SECRET_HEADER, MaxWebServer
from bot.services.faq import FaqService
from handlers.max.client import DEFAULT_API_URL
from storage.db import SessionMaker
from tests.conftest import make_settings, process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.wait import until

ROOT = Path(__file__).resolve().parent.parent
FATHER = MaxUser(50_000_000_777, "Иван", "Смирнов")
SECRET = "max-secret_12345"


async def _start(tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--migrate",
        cwd=tmp_path, env=base | env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_a_bad_max_token_is_one_line_and_exit_2(
    tmp_path: Path, max_server: FakeMaxServer
) -> None:
    process = await _start(tmp_path, MAX_BOT_TOKEN="wrong-token", MAX_API_URL=max_server.url)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    text = stderr.decode()
    assert process.returncode == 2, text
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.startswith("ошибка:")]
    assert len(lines) == 1 and "MAX_BOT_TOKEN" in lines[0] and "wrong-token" not in lines[0]


async def test_only_max_bot_token_runs_a_max_only_bot(
    tmp_path: Path, max_server: FakeMaxServer
) -> None:
    process = await _start(tmp_path, MAX_BOT_TOKEN=max_server.token, MAX_API_URL=max_server.url)
    try:
        max_server.bot_started(FATHER)
        welcome = await max_server.wait_sent(FATHER, 1, within=60)
        assert "Кто вы?" in welcome[0].plain
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]


async def test_the_webhook_refuses_a_wrong_secret_and_serves_max(
    db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService, max_server: FakeMaxServer
) -> None:
    settings = make_settings(
        db_path, max_bot_token=max_server.token, max_api_url=max_server.url,
        max_webhook_url="https://bot.example.org/max/hook", max_webhook_secret=SECRET,
        web_port=0,
    )  # fmt: skip
    services = Services(settings, sessionmaker, faq_service)
    runtime = MaxRuntime(
        settings, sessionmaker, faq_service, services.querylog, services.clock,
        services.switchboard,
    )  # fmt: skip
    assert runtime.polling is None  # MAX_WEBHOOK_URL set: no long polling
    server = MaxWebServer(settings, runtime.dispatcher.feed, sessionmaker)
    await server.start()
    try:
        await runtime.start()
        [sub] = max_server.subscriptions
        assert sub["url"] == "https://bot.example.org/max/hook" and sub["secret"] == SECRET
        local = f"http://127.0.0.1:{server.port}/max/hook"
        update = {"update_type": "bot_started", "timestamp": 1, "chat_id": -1,
                  "user": FATHER.json(), "payload": None}  # fmt: skip
        async with ClientSession() as http:
            for headers in ({}, {MAX_SECRET_HEADER: "not-the-secret"}):
                async with http.post(local, json=update, headers=headers) as response:
                    assert response.status == 401
        assert max_server.sent_to(FATHER) == []

        sub["url"] = local  # the fake now delivers what happens in MAX to our listener
        max_server.bot_started(FATHER)
        welcome = await max_server.wait_sent(FATHER, 1)
        assert "Кто вы?" in welcome[0].plain
        # the fake notes the delivery once our answer is back
        await until(lambda: max_server.webhook_deliveries, what="the delivery noted")
        assert max_server.webhook_deliveries == [(local, 200)]
    finally:
        await runtime.stop()
        await server.stop()


async def test_one_listener_serves_telegram_and_max_webhooks(
    server: Any, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService,
    max_server: FakeMaxServer,
) -> None:  # fmt: skip
    """Both in webhook mode: MAX's route sits beside Telegram's on WEB_PORT."""
    from bot.app.factory import create_bot, create_dispatcher
    from bot.app.web import WebhookServer

    settings = make_settings(
        db_path, webhook_url="https://bot.example.org/telegram", webhook_secret="s3cret_Token-42",
        telegram_api_url=server.url, web_port=0, max_bot_token=max_server.token,
        max_api_url=max_server.url, max_webhook_url="https://bot.example.org/max",
        max_webhook_secret=SECRET,
    )  # fmt: skip
    services = Services(settings, sessionmaker, faq_service)
    runtime = MaxRuntime(
        settings, sessionmaker, faq_service, services.querylog, services.clock,
        services.switchboard,
    )  # fmt: skip
    dp = create_dispatcher(services)
    app = WebhookServer(
        settings, dp, create_bot(settings), sessionmaker, max_feed=runtime.dispatcher.feed
    )
    await app.start()
    try:
        await runtime.start()
        local = f"http://127.0.0.1:{app.port}/max"
        max_server.dialog(FATHER)  # the dialog a real bot_started opens
        update = {"update_type": "bot_started", "timestamp": 2, "chat_id": -1,
                  "user": FATHER.json(), "payload": None}  # fmt: skip
        async with ClientSession() as http:
            async with http.post(local, json=update) as response:
                assert response.status == 401
            async with http.post(
                local, json=update, headers={MAX_SECRET_HEADER: SECRET}
            ) as response:
                assert response.status == 200
            async with http.post(f"http://127.0.0.1:{app.port}/telegram", json={}) as response:
                assert response.status == 401  # Telegram's route still checks its own secret
        welcome = await max_server.wait_sent(FATHER, 1)
        assert "Кто вы?" in welcome[0].plain
    finally:
        await runtime.stop()
        await app.stop()


async def test_an_unreachable_max_api_is_one_russian_line(tmp_path: Path) -> None:
    """No MAX API at MAX_API_URL (a closed port): the line names the setting and says what to
    do in Russian, without aiohttp's English «Cannot connect to host…»."""
    with socket.socket() as probe:  # a port nobody listens on plays an unreachable MAX API
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = await _start(tmp_path, MAX_BOT_TOKEN="some-max-token", MAX_API_URL=url)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    text = stderr.decode()
    assert process.returncode == 2, text
    assert "Traceback" not in text
    (line,) = [line for line in text.splitlines() if line.startswith("ошибка:")]
    assert "MAX_API_URL" in line and url in line and "some-max-token" not in line
    assert "Нет связи с MAX" in line
    words = (
        line.replace(url, "")
        .replace(DEFAULT_API_URL, "")
        .replace("MAX Bot API", "")
        .replace("MAX_API_URL", "")
        .replace("MAX_BOT_TOKEN", "")
    )
    english = re.findall(r"[A-Za-z]{3,}", words.replace("MAX", ""))
    assert not english, (english, line)  # the client library's reason stays in the log
