"""Issue 14 in MAX: a MAX owner (MAX_ADMIN_IDS) gets a panel sign-in link with /web and an
invite link with /invite; a MAX user who opens it (the bot_started payload) is staff at once
and gets /web too; a forged link and a non-staff /web are refused — over the fake MAX server,
with the panel opened over real HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import texts
from bot.app.factory import Services
from bot.core.clock import SystemClock
from bot.services.faq import FaqService
from bot.texts import staff as t
from handlers.web import add_panel
from storage.db import SessionMaker
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.max_bot import max_only_bot, say, start

OWNER = MaxUser(60_000_000_001, "Ирина", "Завуч")
NEWCOMER = MaxUser(60_000_000_002, "Олег", "Педагогов")
STRANGER = MaxUser(60_000_000_003, "Гость")
LOGIN = re.compile(r"http://\S+(/web/login\?t=[^\s<\"]+)")
INVITE = re.compile(r"https://max\.ru/moc_test_bot\?start=(staff_[A-Za-z0-9_-]+)")


@pytest.fixture
async def max_bot(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[tuple[FakeMaxServer, Services]]:
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as bot:
        yield bot


async def signs_in(services: Services, message: Message) -> bool:
    found = LOGIN.search(message.text)
    assert found is not None, message.text
    app = web.Application()
    add_panel(
        app, services.settings, services.sessionmaker, services.switchboard, SystemClock(),
        roster=services.roster,
    )  # fmt: skip
    async with TestClient(TestServer(app)) as client:
        entered = await client.get(found.group(1).replace("&amp;", "&"))
        return entered.status == 200


async def test_max_owner_invites_and_the_newcomer_signs_in(
    max_bot: tuple[FakeMaxServer, Services],
) -> None:
    fake, services = max_bot
    assert await signs_in(services, (await say(fake, OWNER, "/web"))[0])
    assert (await say(fake, NEWCOMER, "/web"))[0].plain == texts.ADMIN_ONLY

    (sent,) = await say(fake, OWNER, "/invite")
    found = INVITE.search(sent.plain)
    assert found is not None, sent.plain
    joined = await start(fake, NEWCOMER, found.group(1))
    assert joined.plain == t.INVITE_OUTCOMES["joined"]
    assert await signs_in(services, (await say(fake, NEWCOMER, "/web"))[0])
    assert (await say(fake, NEWCOMER, "/invite"))[0].plain == t.INVITE_OWNERS_ONLY

    (used,) = await say(fake, STRANGER, f"/start {found.group(1)}")
    assert used.plain == t.INVITE_OUTCOMES["used"]
    forged = await start(fake, STRANGER, found.group(1)[:-3] + "xyz")
    assert forged.plain == t.INVITE_OUTCOMES["forged"]
    assert (await say(fake, STRANGER, "/web"))[0].plain == texts.ADMIN_ONLY
