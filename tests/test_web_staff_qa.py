"""What a МОЦ staff member notices in the panel (QA pass): a MAX asker's ticket must not
promise a Telegram delivery, on the form or in the notice after the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.ids import internal
from storage.db import SessionMaker
from storage.models import User
from storage.repositories import Repositories
from tests.conftest import make_settings
from tests.test_web_panel import NOW, RecordingMessenger, client_for, sign_in

Client = TestClient[web.Request, web.Application]
MAX_PARENT = internal(7, "user")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture
async def client(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock, messenger: RecordingMessenger
) -> AsyncIterator[Client]:
    client = await client_for(settings, sessionmaker, messenger, clock)
    yield client
    await client.close()


async def max_ticket(sessionmaker: SessionMaker, question: str) -> int:
    async with sessionmaker() as session:
        repo = Repositories(session)
        session.add(User(id=MAX_PARENT, first_name="Светлана"))
        made = await repo.tickets.create(MAX_PARENT, MAX_PARENT, question)
        await repo.commit()
        return made.id


async def test_a_max_ticket_is_answered_into_max_not_telegram(
    client: Client,
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    number = await max_ticket(sessionmaker, "Как активировать сертификат?")
    csrf = await sign_in(client, settings, clock)
    form = await (await client.get(f"/web/tickets/{number}")).text()
    assert "Telegram" not in form, "the form promises Telegram to a MAX asker"
    assert "MAX" in form
    done = await client.post(
        f"/web/tickets/{number}/answer", data={"text": "В личном кабинете.", "csrf": csrf}
    )
    notice = await done.text()
    assert messenger.sent and messenger.sent[-1][0] == MAX_PARENT
    assert "Ответ отправлен" in notice and "в MAX" in notice
    assert "в Telegram" not in notice


async def test_a_max_owner_is_listed_by_the_id_written_in_max_admin_ids(
    db_path: Path, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """MAX_ADMIN_IDS=777: the «Сотрудники» page says «MAX · id 777», not the bot's internal
    number (1152921504606846977), which the owner cannot find in any setting or in MAX."""
    settings = make_settings(db_path, web_secret="panel-test-secret", max_admin_ids="777")
    async with sessionmaker() as session:
        inner = await Repositories(session).channel_ids.internal("max", "user", 777)
        session.add(User(id=inner, first_name="Ирина"))
        await session.commit()
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(client, settings, clock)
        listing = await (await client.get("/web/staff")).text()
    finally:
        await client.close()
    assert "Ирина" in listing
    assert "MAX · id 777" in listing
    assert str(inner) not in listing.replace(f'value="{inner}"', "")  # the form may carry it
