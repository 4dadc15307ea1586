"""Webhook mode over real HTTP: Telegram's side is the fake Bot API server, the bot's side the
aiohttp app from bot/app/web.py on a random port. The test plays Telegram's webhook delivery by
POSTing the updates the fake server builds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app.factory import Services, create_bot, create_dispatcher
from bot.app.ops import add_ops_routes
from bot.app.web import WebhookServer
from bot.core import metrics
from bot.core.config import Settings, SettingsError, load_settings
from bot.services.faq import FaqService
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import ProcessedUpdate
from tests.conftest import PARENT, make_settings
from tests.fakes.telegram_api import FakeTelegramServer, JsonDict

URL = "https://bot.example.org/telegram"
SECRET = "s3cret_Token-42"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Webhook:
    server: FakeTelegramServer
    app: WebhookServer
    http: aiohttp.ClientSession
    sessionmaker: SessionMaker

    async def deliver(self, update: JsonDict, secret: str | None = SECRET) -> int:
        """POST like Telegram does; the answer comes once the update was handled."""
        headers = {HEADER: secret} if secret is not None else {}
        async with self.http.post("/telegram", json=update, headers=headers) as response:
            return response.status

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(path) as response:
            return response.status, await response.text()


def webhook_settings(db_path: Path, server: FakeTelegramServer, **extra: Any) -> Settings:
    return make_settings(
        db_path, webhook_url=URL, webhook_secret=SECRET, web_port=0,
        telegram_api_url=server.url, **extra,
    )  # fmt: skip


@pytest.fixture
async def webhook(
    server: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> AsyncIterator[Webhook]:
    settings = webhook_settings(db_path, server)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    dp = create_dispatcher(Services(settings, sessionmaker, faq_service))
    app = WebhookServer(settings, dp, create_bot(settings), sessionmaker)
    await app.start()
    async with aiohttp.ClientSession(f"http://127.0.0.1:{app.port}") as http:
        yield Webhook(server, app, http, sessionmaker)
    await app.stop()
    await engine.dispose()


async def test_a_request_without_the_secret_is_refused(
    webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    update = webhook.server.user_sends("/start", user=PARENT)
    assert await webhook.deliver(update, secret=None) == 401
    assert await webhook.deliver(update, secret="guess") == 401
    # a scanner's non-ASCII guess: refused like any other, not a 500 with a traceback
    assert await webhook.deliver(update, secret="пароль") == 401
    assert await webhook.deliver(update, secret=SECRET + "é") == 401
    assert webhook.server.sent_to(PARENT.id) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_start_is_answered_and_a_duplicate_is_handled_once(webhook: Webhook) -> None:
    update = webhook.server.user_sends("/start", user=PARENT)
    duplicates = metrics.value("moc_updates_duplicate_total")
    assert await webhook.deliver(update) == 200
    welcome = await webhook.server.next_message(PARENT.id)
    assert "МОЦ города N" in (welcome.text or "")
    sent = len(webhook.server.sent_to(PARENT.id))

    assert await webhook.deliver(update) == 200  # Telegram retried the same update
    assert len(webhook.server.sent_to(PARENT.id)) == sent
    assert metrics.value("moc_updates_duplicate_total") == duplicates + 1
    async with webhook.sessionmaker() as session:
        rows = await session.scalar(
            select(func.count()).where(ProcessedUpdate.update_id == update["update_id"])
        )
    assert rows == 1


async def test_two_instances_given_the_same_update_answer_once(
    webhook: Webhook, db_path: Path, faq_service: FaqService
) -> None:
    """Telegram's retry reaches the other instance while the first is still on it."""
    settings = webhook_settings(db_path, webhook.server)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    dp = create_dispatcher(Services(settings, sessionmaker, faq_service), jobs=False)
    other = WebhookServer(settings, dp, create_bot(settings), sessionmaker)
    await other.start()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{other.port}") as http:
            second = Webhook(webhook.server, other, http, sessionmaker)
            update = webhook.server.user_sends("/start", user=PARENT)
            statuses = await asyncio.gather(webhook.deliver(update), second.deliver(update))
    finally:
        await other.stop()
        await engine.dispose()
    assert [*statuses] == [200, 200]
    # without the check: two welcomes, or a welcome and an apology (the user row raced)
    [welcome] = webhook.server.sent_to(PARENT.id)
    assert "МОЦ города N" in (welcome.text or "")


async def test_set_webhook_carries_the_secret_and_allowed_updates(webhook: Webhook) -> None:
    call = await webhook.server.wait_for("setWebhook")
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert call.params["drop_pending_updates"] is False
    assert {"message", "callback_query", "my_chat_member"} <= set(call.params["allowed_updates"])
    assert webhook.server.webhook_url == URL


async def test_metrics_count_the_update(webhook: Webhook) -> None:
    before = metrics.value("moc_updates_total", type="message")
    assert await webhook.deliver(webhook.server.user_sends("/start", user=PARENT)) == 200
    status, body = await webhook.get("/metrics")
    assert status == 200
    assert metrics.value("moc_updates_total", type="message") == before + 1
    assert f'moc_updates_total{{type="message"}} {before + 1}\n' in body
    assert 'moc_update_duration_seconds_bucket{le="+Inf",type="message"}' in body
    assert "# TYPE moc_faq_questions_total counter" in body
    assert 'moc_faq_questions_total{outcome="unknown"}' in body  # known labels shown from 0
    # the library's collectors: the process's memory and CPU, Python's garbage collector
    for name in ("process_resident_memory_bytes", "process_cpu_seconds_total", "python_gc_"):
        assert name in body, name
    assert "_created" not in body


async def test_metrics_speak_openmetrics_to_a_scraper_that_asks(webhook: Webhook) -> None:
    accept = {"Accept": "application/openmetrics-text; version=1.0.0"}
    async with webhook.http.get("/metrics", headers=accept) as response:
        assert response.content_type == "application/openmetrics-text"
        body = await response.text()
    assert "# TYPE moc_updates counter" in body and body.endswith("# EOF\n")
    async with webhook.http.get("/metrics") as response:  # no Accept: the classic text format
        assert response.content_type == "text/plain"
        assert "# EOF" not in await response.text()


async def test_healthz_ok(webhook: Webhook) -> None:
    status, body = await webhook.get("/healthz")
    assert status == 200
    assert body == '{"status": "ok", "database": "ok"}'


async def test_healthz_503_when_the_database_is_unreachable() -> None:
    engine = create_engine("postgresql+asyncpg://moc:secret@127.0.0.1:9/moc")  # nothing there
    app = web.Application()
    add_ops_routes(app, create_sessionmaker(engine))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as r,
        ):
            assert r.status == 503
            body = await r.json()
    finally:
        await runner.cleanup()
        await engine.dispose()
    assert body["status"] == "error"
    assert body["database"] and "secret" not in body["database"]


async def test_stop_finishes_the_update_in_flight(webhook: Webhook) -> None:
    webhook.server.latency = 0.5  # the reply is still on its way when SIGTERM comes
    update = webhook.server.user_sends("/start", user=PARENT)
    delivery = asyncio.create_task(webhook.deliver(update))
    await asyncio.sleep(0.2)
    await webhook.app.stop()
    assert await delivery == 200
    assert webhook.server.sent_to(PARENT.id)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"WEBHOOK_URL": URL}, "нужен WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://bot.example.org/t", "WEBHOOK_SECRET": "ok"}, "https://"),
    ],
)
def test_webhook_settings_are_checked(
    env: dict[str, str], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=problem):
        load_settings(_env_file=None)


def test_webhook_path_comes_from_the_url(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "x.db", webhook_url=URL, webhook_secret=SECRET)
    assert settings.webhook_path == "/telegram"
    assert settings.web_host == "127.0.0.1" and settings.web_port == 8080


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b"",
        b'"just a string"',
        b'{"update_id":"x","message":5}',
        b'{"update_id": 7, "message": {"poll": {"id": "1"}, "text": "\xd0\xa1\xd0\xb5\xd0\xba"}}',
    ],
    ids=["not-json", "array", "empty", "string", "bad-fields", "unparsable-message"],
)
async def test_a_malformed_body_is_refused_or_dropped_and_logged_without_it(
    webhook: Webhook, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 13, item 13: never 500 (Telegram retries 5xx forever), never the body in a log."""
    caplog.set_level(logging.DEBUG)
    unparsable = metrics.value("moc_updates_unparsable_total", source="webhook")
    headers = {HEADER: SECRET, "Content-Type": "application/json"}
    async with webhook.http.post("/telegram", data=body, headers=headers) as response:
        status, answer = response.status, await response.text()
    assert status in (200, 400)
    assert "Traceback" not in answer and "json" not in answer.lower()
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for fragment in ("not json", "just a string", '"x"', "Сек", "poll"):
        assert fragment not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    if status == 200:  # a JSON object Telegram could send: dropped and counted
        assert metrics.value("moc_updates_unparsable_total", source="webhook") == unparsable + 1

    # the endpoint still serves the next update
    assert await webhook.deliver(webhook.server.user_sends("/start", user=PARENT)) == 200
    assert "МОЦ города N" in ((await webhook.server.next_message(PARENT.id)).text or "")


async def test_an_instance_told_to_retry_set_webhook_starts_and_answers(
    server: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    """A deploy restarts every instance at once; Telegram answers the later setWebhook calls
    429 «retry after 1». The instance waits and serves instead of crashing with a traceback."""
    server.fail_next("setWebhook", status=429, retry_after=1, count=2)
    settings = webhook_settings(db_path, server)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    dp = create_dispatcher(Services(settings, sessionmaker, faq_service), jobs=False)
    app = WebhookServer(settings, dp, create_bot(settings), sessionmaker)
    try:
        await app.start()
        assert server.webhook_url == URL
        async with aiohttp.ClientSession(f"http://127.0.0.1:{app.port}") as http:
            hook = Webhook(server, app, http, sessionmaker)
            assert await hook.deliver(server.user_sends("/start", user=PARENT)) == 200
        assert "МОЦ города N" in ((await server.next_message(PARENT.id)).text or "")
    finally:
        await app.stop()
        await engine.dispose()
