"""Several jobs loops over one outbox (`run` with jobs beside a `worker`, README «deployment at
scale») send each stored reply once and in each chat's order; a claim left by a loop that died
is taken over once its lease runs out; a reply refused past OUTBOX_MAX_AGE_HOURS is dropped
loudly and never sent. Real outbox loops and Telegram channels, each loop with its own engine
and Bot as a process has, against the fake Bot API over HTTP; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from bot.app.factory import create_bot
from bot.core import metrics
from bot.services.faq import FaqService
from bot.services.outbox import Outbox, Parcel
from bot.services.outbox.worker import LEASE, OutboxWorker
from handlers.tg.outbound import of as outbound_of
from handlers.tg.outbox_channel import TelegramOutbox
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import OutboxMessage
from storage.repositories.outbox import OutboxRepo
from tests.conftest import TOKEN, make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.test_e2e_outbound import running

PARENTS = [5_400_001 + i for i in range(6)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(TOKEN, latency=(0.01, 0.05)) as server:
        yield server


@contextlib.asynccontextmanager
async def jobs_loop(
    server: FakeTelegramServer, url: str, lease: timedelta = LEASE
) -> AsyncIterator[OutboxWorker]:
    """One process's outbox loop: its own engine, Bot and limiter, started."""
    engine = create_engine(url)
    settings = make_settings(Path("unused.db"), database_url=url)
    bot = create_bot(settings, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))
    installed = outbound_of(bot)
    assert installed is not None
    channel = TelegramOutbox(bot, installed.limiter)
    worker = OutboxWorker(
        create_sessionmaker(engine), {"tg": channel}, poll_seconds=0.05, lease=lease
    )
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
        await bot.session.close()
        await engine.dispose()


async def stored(sm: SessionMaker) -> int:
    async with sm() as s:
        return int(await s.scalar(select(func.count(OutboxMessage.id))) or 0)


async def until_empty(sm: SessionMaker, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while await stored(sm):
        assert time.monotonic() < deadline, "the outbox never emptied"
        await asyncio.sleep(0.05)


def texts(server: FakeTelegramServer, chat_id: int) -> list[str | None]:
    return [m.text for m in server.sent_to(chat_id)]


@contextlib.asynccontextmanager
async def database(url: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def test_two_loops_over_the_same_rows_send_each_reply_once_and_in_order(
    fake: FakeTelegramServer, sqlite_or_pg_url: str
) -> None:
    async with database(sqlite_or_pg_url) as sm:
        outbox = Outbox(sm)
        for n in range(3):
            for chat in PARENTS:
                await outbox.keep(Parcel("tg", chat, f"Ответ {n + 1} для {chat}"), "test")
        async with (
            jobs_loop(fake, sqlite_or_pg_url),
            jobs_loop(fake, sqlite_or_pg_url),
        ):
            await until_empty(sm)
            await asyncio.sleep(0.3)  # a second copy, if any, would arrive meanwhile
    sent = Counter(
        str(c.params.get("text")) for c in fake.calls if c.method == "sendmessage" and c.ok
    )
    twice = {text: n for text, n in sent.items() if n > 1}
    assert not twice, f"sent more than once: {twice}"
    for chat in PARENTS:
        assert texts(fake, chat) == [f"Ответ {n} для {chat}" for n in (1, 2, 3)]


async def test_a_claim_left_by_a_loop_that_died_is_sent_when_its_lease_runs_out(
    fake: FakeTelegramServer, sqlite_or_pg_url: str
) -> None:
    chat = PARENTS[0]
    async with database(sqlite_or_pg_url) as sm:
        outbox = Outbox(sm)
        await outbox.keep(Parcel("tg", chat, "Первый ответ"), "test")
        await outbox.keep(Parcel("tg", chat, "Второй ответ"), "test")
        # a loop claimed the chat's first reply for 3 s more, then its process was killed
        now = datetime.now(UTC)
        held_until = now + timedelta(seconds=3)
        async with sm() as s:
            taken = await OutboxRepo(s).claim(["tg"], now, held_until)
            await s.commit()
        assert [row.text for row in taken] == ["Первый ответ"]
        async with jobs_loop(fake, sqlite_or_pg_url):
            await asyncio.sleep(1.5)
            assert datetime.now(UTC) < held_until, "the machine was too slow to tell"
            assert texts(fake, chat) == [], "a reply held by another loop was sent"
            await until_empty(sm)
            await asyncio.sleep(0.3)
    assert texts(fake, chat) == ["Первый ответ", "Второй ответ"]


async def test_a_reply_older_than_the_age_cap_is_dropped_loudly_and_not_sent(
    fake: FakeTelegramServer,
    db_path: Path,
    faq_service: FaqService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through the bot's own jobs loop, which reads OUTBOX_MAX_AGE_HOURS."""
    old, fresh = PARENTS[0], PARENTS[1]
    secret = "Ответ о собаке-поводыре"
    expired = metrics.value("moc_outbox_messages_total", event="expired", channel="tg")
    async with running(fake, db_path, faq_service, outbox_max_age_hours=2) as sm:
        outbox = Outbox(sm)
        with caplog.at_level(logging.INFO):
            three_hours_ago = datetime.now(UTC) - timedelta(hours=3)
            await outbox.keep(Parcel("tg", old, secret, created_at=three_hours_ago), "test")
            await outbox.keep(Parcel("tg", fresh, "Свежий ответ"), "test")
            await until_empty(sm)
            await asyncio.sleep(0.3)
    assert texts(fake, old) == [], "a reply past the age cap was sent"
    assert texts(fake, fresh) == ["Свежий ответ"]
    assert metrics.value("moc_outbox_messages_total", event="expired", channel="tg") == (
        expired + 1
    )
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(str(old) in line and "3.0 h" in line for line in loud), loud
    assert not any(secret in r.getMessage() for r in caplog.records)


async def test_a_loop_stopped_mid_send_gives_its_rows_back_at_once(
    fake: FakeTelegramServer, sqlite_or_pg_url: str
) -> None:
    """A graceful stop (a deploy) does not hold a person's reply for the whole lease."""
    chat = PARENTS[0]
    async with database(sqlite_or_pg_url) as sm:
        await Outbox(sm).keep(Parcel("tg", chat, "Ответ после перезапуска"), "test")
        fake.latency = 5.0  # the send hangs, as on a network that went away
        async with jobs_loop(fake, sqlite_or_pg_url, lease=timedelta(minutes=10)):
            deadline = time.monotonic() + 10
            while fake.stats["sendmessage"] == 0:  # counted when the request arrives
                assert time.monotonic() < deadline, "the loop never tried to send"
                await asyncio.sleep(0.05)
        fake.latency = 0.0
        async with sm() as s:
            assert await s.scalar(select(OutboxMessage.claimed_until)) is None
        async with jobs_loop(fake, sqlite_or_pg_url):
            answer = await fake.next_message(chat, timeout=3)  # before the hung send returns
            assert answer.text == "Ответ после перезапуска"
            await until_empty(sm)
