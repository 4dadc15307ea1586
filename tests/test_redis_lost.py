"""Redis dies while the bot runs: questions are still answered (issue 5, "lost later")."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot import texts
from bot.app.factory import Services, create_bot, create_dispatcher
from bot.app.web import WebhookServer
from bot.services.faq import FaqService
from storage.db import SessionMaker, create_engine, create_sessionmaker
from tests.conftest import PARENT, make_settings, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer

pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private redis-server this test may kill (the shared one must stay up)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("MOC_REQUIRE_SERVERS") == "1":
            pytest.fail("redis-server is required in CI but not installed")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
         "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


async def test_questions_are_answered_after_redis_is_lost(
    own_redis: tuple[str, subprocess.Popen[bytes]],
    db_path: Path,
    sessionmaker: SessionMaker,
    server: FakeTelegramServer,
    faq_service: FaqService,
) -> None:
    url, process = own_redis
    settings = make_settings(db_path, redis_url=url)
    _bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    try:
        server.user_sends("как активировать сертификат", user=PARENT)
        first = await server.next_message(PARENT.id)
        assert "активир" in first.text.lower()

        process.kill()  # Redis is gone for good
        process.wait(timeout=10)
        server.user_sends("забыла пароль от навигатора", user=PARENT)
        second = await server.next_message(PARENT.id, timeout=15)
        assert second.text != texts.ERROR
        assert "пароль" in second.text.lower()
    finally:
        await stop_bot(dp, task)


async def test_questions_are_answered_while_redis_hangs(
    own_redis: tuple[str, subprocess.Popen[bytes]],
    db_path: Path,
    sessionmaker: SessionMaker,
    server: FakeTelegramServer,
    faq_service: FaqService,
) -> None:
    """Redis stops answering without closing its sockets (a paused VM, a network partition):
    a parent waits for one timeout, not for one per Redis call on every message."""
    url, process = own_redis
    settings = make_settings(db_path, redis_url=url)
    _bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    try:
        server.user_sends("как активировать сертификат", user=PARENT)
        assert "активир" in (await server.next_message(PARENT.id)).text.lower()

        process.send_signal(signal.SIGSTOP)  # alive, connected, silent
        began = time.monotonic()
        server.user_sends("забыла пароль от навигатора", user=PARENT)
        second = await server.next_message(PARENT.id, timeout=30)
        assert second.text != texts.ERROR and "пароль" in second.text.lower()
        server.user_sends("как записаться в кружок", user=PARENT)
        third = await server.next_message(PARENT.id, timeout=30)
        assert third.text != texts.ERROR
        # without giving up on Redis for a while: 15 s per message (a timeout per call)
        assert time.monotonic() - began < 10, "the parent waited on a hung Redis"
    finally:
        process.send_signal(signal.SIGCONT)
        await stop_bot(dp, task)


async def test_healthz_says_redis_is_lost_without_taking_the_instance_out(
    own_redis: tuple[str, subprocess.Popen[bytes]],
    db_path: Path,
    server: FakeTelegramServer,
    faq_service: FaqService,
) -> None:
    """The operator asks /healthz why dialogs keep starting over: it names Redis (200
    «degraded»: every instance shares that Redis, and without it they still answer)."""
    url, process = own_redis
    settings = make_settings(
        db_path, redis_url=url, webhook_url="https://bot.example.org/telegram",
        webhook_secret="s3cret_Token-42", web_port=0, telegram_api_url=server.url,
    )  # fmt: skip
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    dp = create_dispatcher(Services(settings, sessionmaker, faq_service), jobs=False)
    app = WebhookServer(settings, dp, create_bot(settings), sessionmaker)
    await app.start()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{app.port}") as http:
            async with http.get("/healthz") as response:
                assert response.status == 200
                assert await response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
            process.kill()
            process.wait(timeout=10)
            async with http.get("/healthz") as response:
                assert response.status == 200
                body = await response.json()
    finally:
        await app.stop()
        await engine.dispose()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["redis"] != "ok" and url not in body["redis"]
