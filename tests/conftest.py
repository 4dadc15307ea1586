"""Fixtures: settings, a migrated temporary database, the FAQ, and the real bot running
against the fake Telegram Bot API over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app import Services, create_bot, create_dispatcher
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.faq import FaqService
from bot.testing.fake_api import FakeTelegramServer, FakeUser, SentMessage
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.migrate import upgrade

TOKEN = "123456:TEST-TOKEN"
ADMIN = FakeUser(id=1000, first_name="Анна", last_name="Методист", username="anna_moc")
PARENT = FakeUser(id=2001, first_name="Мария", last_name="Иванова")
TEACHER = FakeUser(id=2002, first_name="Пётр", last_name="Сидоров")
STAFF_CHAT = -100500


def make_settings(db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": f"sqlite+aiosqlite:///{db_path}",
        "admin_ids": str(ADMIN.id),
        "staff_chat_id": STAFF_CHAT,
        "moc_name": "МОЦ города N",
        "moc_phone": "+7 (900) 123-45-67",
        "navigator_url": "https://navigator.example.org",
        "throttle_rate": 5.0,
        "throttle_burst": 20,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the real Alembic migrations once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def db_path(tmp_path: Path, migrated_template: Path) -> Path:
    path = tmp_path / "bot.db"
    shutil.copy(migrated_template, path)
    return path


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path)


@pytest.fixture(scope="session")
def faq_service() -> FaqService:
    """The shipped knowledge base; built once because the index takes a moment."""
    return FaqService(None)


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[SessionMaker]:
    engine = create_engine(settings.database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(TOKEN) as fake:
        yield fake


@dataclass
class BotHarness:
    """The real bot polling the fake server; tests read like a conversation."""

    server: FakeTelegramServer
    settings: Settings
    sessionmaker: SessionMaker
    dp: Dispatcher
    bot: Bot
    task: asyncio.Task[None]

    async def restart(self, faq: FaqService) -> None:
        """Stop polling and start a fresh Dispatcher on the same database and server."""
        await stop_bot(self.dp, self.task)
        self.bot, self.dp, self.task = await start_bot(
            self.server, self.settings, self.sessionmaker, faq
        )

    async def say(self, user: FakeUser, text: str, **kwargs: Any) -> SentMessage:
        self.server.user_sends(text, user=user, **kwargs)
        return await self.server.next_message(user.id)

    async def press(self, user: FakeUser, message: SentMessage, button: str) -> SentMessage:
        self.server.press(message, button, user=user)
        return await self.server.next_message(user.id)


async def start_bot(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq: FaqService,
    clock: Clock | None = None,
) -> tuple[Bot, Dispatcher, asyncio.Task[None]]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.url))
    bot = create_bot(settings, session=session)
    dp = create_dispatcher(Services(settings, sessionmaker, faq, clock or SystemClock()))
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=True)
    )
    return bot, dp, task


async def stop_bot(dp: Dispatcher, task: asyncio.Task[None]) -> None:
    await dp.stop_polling()
    await asyncio.wait_for(task, timeout=10)
    await dp.storage.close()


@pytest.fixture
async def harness(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[BotHarness]:
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    harness = BotHarness(server, settings, sessionmaker, dp, bot, task)
    yield harness
    await stop_bot(harness.dp, harness.task)
