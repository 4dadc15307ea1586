"""/web in Telegram: staff get a one-time sign-in link, nobody else does; and the polling
mode's own web server serves the panel (bot/app/panel.py)."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import aiohttp
import pytest

from bot import texts
from bot.app.factory import Services, create_bot, create_dispatcher
from bot.app.panel import start_panel_server
from bot.app.web import WebhookServer
from bot.core.clock import SystemClock
from bot.services.faq import FaqService
from bot.texts import web as t
from handlers.tg.messenger import TelegramMessenger
from storage.db import create_engine, create_sessionmaker
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness, make_settings
from tests.fakes.telegram_api import FakeTelegramServer

LINK = re.compile(r"(http://\S+/web/login\?t=\S+)")


async def test_staff_get_a_link_that_signs_them_in_once(harness: BotHarness) -> None:
    sent = await harness.say(ADMIN, "/web")
    assert sent.text is not None and "10 минут" in sent.text
    found = LINK.search(sent.text)
    assert found is not None
    assert found.group(1).startswith(harness.settings.panel_url)


async def test_parents_and_groups_get_no_link(harness: BotHarness) -> None:
    refused = await harness.say(PARENT, "/web")
    assert refused.text == texts.ADMIN_ONLY
    harness.server.user_sends("/web", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup")
    in_group = await harness.server.next_message(STAFF_CHAT)
    assert in_group.text == t.WEB_PRIVATE_ONLY and "login" not in (in_group.text or "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_polling_mode_serves_panel_and_health(harness: BotHarness) -> None:
    settings = make_settings(
        harness.settings.database_url.split("///", 1)[1], web_port=free_port()
    )  # fmt: skip
    runner = await start_panel_server(
        settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock()
    )
    assert runner is not None
    try:
        async with aiohttp.ClientSession() as http:
            panel = await http.get(f"{settings.panel_url}/web/tickets", allow_redirects=False)
            assert panel.status == 303 and panel.headers["Location"] == "/web/signin"
            health = await http.get(f"{settings.panel_url}/healthz")
            assert health.status == 200
            css = await http.get(f"{settings.panel_url}/web/static/panel.css")
            assert css.status == 200 and "body" in await css.text()
    finally:
        await runner.cleanup()


async def test_a_taken_port_leaves_the_bot_running(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        settings = make_settings(harness.settings.database_url.split("///", 1)[1], web_port=port)
        with caplog.at_level(logging.ERROR):
            runner = await start_panel_server(
                settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock()
            )
    assert runner is None and "web panel not started" in caplog.text
    off = make_settings(harness.settings.database_url.split("///", 1)[1], web_panel=False)
    assert (
        await start_panel_server(
            off, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock()
        )
        is None
    )


async def test_webhook_mode_serves_the_panel_beside_the_webhook(
    server: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    settings = make_settings(
        db_path, webhook_url="https://bot.example.org/webhook", webhook_secret="s3cret",
        web_port=0, telegram_api_url=server.url,
    )  # fmt: skip
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    dp = create_dispatcher(Services(settings, sessionmaker, faq_service), jobs=False)
    app = WebhookServer(settings, dp, create_bot(settings), sessionmaker)
    await app.start()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{app.port}") as http:
            panel = await http.get("/web/tickets", allow_redirects=False)
            assert panel.status == 303 and panel.headers["Location"] == "/web/signin"
            assert (await http.get("/web/signin")).status == 200
            # /webhook is the webhook's, not the panel's (a prefix is no path segment)
            assert (await http.post("/webhook", json={})).status == 401
    finally:
        await app.stop()
        await engine.dispose()
