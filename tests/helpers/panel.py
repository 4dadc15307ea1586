"""The staff web panel over real HTTP (aiohttp test server) on a test's database: its
settings, a frozen clock, a messenger that records what the panel sends, a staff sign-in.
Import the fixtures (`client`, `clock`, `messenger`, `panel_settings`) into a panel test."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.clock import Clock, FrozenClock
from bot.core.config import Settings
from bot.core.messages import Keyboard, MessageRef
from bot.services.faq import FaqService
from bot.services.staff.web_sessions import make_token
from handlers.web import add_panel
from storage.db import SessionMaker
from storage.models import User
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, make_settings

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
EVIL = '<script>alert("x")</script>'
Client = TestClient[web.Request, web.Application]


class RecordingMessenger:
    """Records what the panel sends through the bot (the Messenger port)."""

    channel = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.edited: list[tuple[MessageRef, str]] = []

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        self.sent.append((chat_id, text))
        return MessageRef(chat_id, len(self.sent))

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        self.edited.append((ref, text))

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        self.edited.append((ref, ""))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def panel_settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


async def client_for(
    settings: Settings,
    sessionmaker: SessionMaker,
    messenger: object,
    clock: Clock,
    faq: FaqService | None = None,
) -> Client:
    """The panel on a started test server; `faq`: the bot's own knowledge base, shared."""
    app = web.Application()
    add_panel(app, settings, sessionmaker, messenger, clock, faq=faq)  # type: ignore[arg-type]
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> AsyncIterator[Client]:
    client = await client_for(panel_settings, sessionmaker, messenger, clock)
    yield client
    await client.close()


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


async def ticket(sessionmaker: SessionMaker, question: str, name: str = "Мария") -> int:
    async with sessionmaker() as session:
        repo = Repositories(session)
        if await repo.users.get(PARENT.id) is None:
            session.add(User(id=PARENT.id, first_name=name))
        made = await repo.tickets.create(PARENT.id, PARENT.id, question)
        await repo.commit()
        return made.id


async def sign_in(
    client: Client,
    settings: Settings,
    clock: FrozenClock,
    staff_id: int = ADMIN.id,
) -> str:
    """Open a fresh sign-in link; returns the CSRF token of the new session."""
    token = make_token(settings, staff_id, "Анна Методист", clock.now())
    entered = await client.get("/web/login", params={"t": token})
    assert entered.status == 200, await entered.text()
    page = await client.get("/web/tickets")
    assert page.status == 200
    found = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert found is not None
    return found.group(1)
