"""The worker reports a lost group once: to the first delivery that finds it gone, however many
broadcasts meet it at the same time; never for a person who blocked the bot, nor for a group
whose removal the bot already learned from Telegram. A report that fails leaves the ledger as
it would be without one. The real Bot over HTTP to the fake Bot API; `on_gone` records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.core.clock import FrozenClock
from bot.services.chats import registry
from broadcasts.audience import recipients, target_of
from broadcasts.content import Content
from broadcasts.runtime import GroupGone, Options
from broadcasts.service import Target, create_broadcast, status
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import BroadcastState, Chat, ChatAudience, Subscription, User
from storage.repositories import Repositories
from tests.fakes.telegram_api import FakeTelegramServer

NOW = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
LOST, TOLD, ALIVE, PARENT = -1001990001, -1001990002, -1001990003, 5001
FAST = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)


@pytest.fixture
async def sm(sqlite_or_pg_url: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(sqlite_or_pg_url)
    made = create_sessionmaker(engine)
    async with made() as s:
        for chat_id in (LOST, TOLD, ALIVE):
            chat = Chat(id=chat_id, kind="supergroup", title=f"Родители {chat_id}")
            chat.audiences = [ChatAudience(chat_id=chat_id, audience="parents")]
            s.add(chat)
        s.add(User(id=PARENT, first_name="Мария"))
        await s.flush()
        s.add(Subscription(user_id=PARENT, audience="parents"))
        await s.commit()
    yield made
    await engine.dispose()


async def two_broadcasts_under_way(sm: SessionMaker) -> list[int]:
    """Two broadcasts whose ledgers were written while every chat was still there."""
    ids = []
    async with sm() as s:
        repo = Repositories(s)
        for text in ("Собрание в четверг", "Экскурсия в пятницу"):
            made = await create_broadcast(
                s, author_id=1000, content=Content("text", text),
                target=Target(("parents",)), at=None, now=NOW,
            )  # fmt: skip
            await repo.deliveries.materialise(made.id, await recipients(s, target_of(made)), NOW)
            ids.append(made.id)
        await s.commit()
    return ids


async def run(sm: SessionMaker, server: FakeTelegramServer, on_gone: GroupGone) -> None:
    bot = Bot(server.token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))
    try:
        worker = BroadcastWorker(
            sm, TelegramChannel(bot), FrozenClock(NOW), instance_id="gone", rate=200.0,
            max_jobs=2, options=FAST, on_gone=on_gone,
        )  # fmt: skip
        await worker.run_once()
    finally:
        await bot.session.close()


async def test_a_lost_group_is_reported_once_by_the_delivery_that_found_it(
    sm: SessionMaker,
) -> None:
    ids = await two_broadcasts_under_way(sm)
    async with sm() as s:  # Telegram told the bot of this removal (my_chat_member)
        await registry.left(Repositories(s), TOLD)
    reported: list[tuple[int, int]] = []

    async def on_gone(chat_id: int, broadcast_id: int) -> None:
        reported.append((chat_id, broadcast_id))

    async with FakeTelegramServer() as server:
        for chat_id in (LOST, TOLD):  # so Telegram's 403 says «kicked from the supergroup»
            server.chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": "Родители"}
        for chat_id in (LOST, TOLD, PARENT):
            server.block(chat_id)
        await run(sm, server, on_gone)
        assert len(server.sent_to(ALIVE)) == 2

    assert [chat for chat, _ in reported] == [LOST]
    assert reported[0][1] in ids


async def test_a_report_that_fails_changes_nothing_in_the_ledger(sm: SessionMaker) -> None:
    ids = await two_broadcasts_under_way(sm)

    async def broken(chat_id: int, broadcast_id: int) -> None:
        raise RuntimeError("the admins' messenger is down")

    async with FakeTelegramServer() as server:
        server.block(LOST)
        await run(sm, server, broken)
    async with sm() as s:
        shown = [await status(s, i) for i in ids]
        lost = await s.get(Chat, LOST)
    assert [(b.state, b.sent, b.blocked) for b in shown if b is not None] == [
        (BroadcastState.DONE, 3, 1), (BroadcastState.DONE, 3, 1),
    ]  # fmt: skip
    assert lost is not None and not lost.is_active
