"""What a hostile client can put in a name or a message that only PostgreSQL (the regional
setup) refuses: SQLite ignores VARCHAR lengths and keeps U+0000, so the quick run never
notices, while on PostgreSQL the write failed and the person got «что-то пошло не так».

* A MAX name over 128 characters (Telegram caps names at 64, MAX promises no limit): every
  update of that person failed before the bot said a word. Names are clipped where stored; the
  staff see the start of it (escaped: it looks like HTML).
* U+0000 in a message or a name, in MAX and in Telegram: the question was lost. It is dropped
  where the messenger's JSON is read (bot.core.incoming).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.app.factory import Services
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import PARENT, Backend, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import max_settings
from tests.helpers.max_both import UNKNOWN, new_runtime

pytestmark = [pytest.mark.postgres]

MAX_ADMIN = MaxUser(50_000_000_001, "Анна", "Методист")
LONG = MaxUser(50_000_000_901, "<b>Ольга</b>&amp;" + "О" * 300, "Петрова-" + "П" * 300)


@pytest.fixture
def settings(pg_database: str) -> Settings:
    """conftest's `sessionmaker` on a fresh migrated PostgreSQL database."""
    return Backend("postgres", pg_database).settings()


@pytest.fixture
async def max_on_pg(
    max_server: FakeMaxServer,
    db_path: Path,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[FakeMaxServer]:
    """A MAX-only МОЦ on PostgreSQL; its MAX admin gets the tickets privately."""
    own = max_settings(
        db_path, max_server, MAX_ADMIN, database_url=settings.database_url, staff_relay_seconds=1
    )
    runtime = new_runtime(Services(own, sessionmaker, faq_service))
    await runtime.start()
    try:
        max_server.bot_started(MAX_ADMIN)
        await max_server.wait_sent(MAX_ADMIN, 1)
        yield max_server
    finally:
        await runtime.stop()


async def test_a_max_name_longer_than_the_columns_still_gets_served(
    max_on_pg: FakeMaxServer,
) -> None:
    """A 300-character MAX name with HTML-looking letters: the person gets the welcome, picks
    a role and asks; the MAX admin's ticket card names them (its start, as text)."""
    fake = max_on_pg
    fake.bot_started(LONG)
    welcome = (await fake.wait_sent(LONG, 1, within=15))[0]
    assert "Кто вы?" in welcome.plain
    fake.press(LONG, welcome, texts.ROLE_TITLES["parent"])
    assert "Родитель" in (await fake.wait_sent(LONG, 2))[-1].plain
    fake.user_writes(LONG, UNKNOWN)
    unknown = (await fake.wait_sent(LONG, 3))[-1]
    fake.press(LONG, unknown, texts.BTN_ASK_SHORT)
    assert "№1" in (await fake.wait_sent(LONG, 4, within=15))[-1].plain
    card = (await fake.wait_sent(MAX_ADMIN, 2, within=15))[-1]
    assert "<b>Ольга</b>&amp;ООО" in card.plain, card.plain[:300]
    assert UNKNOWN in card.plain


NUL_NAME = MaxUser(50_000_000_902, "Оль\u0000га", "Пет\u0000рова")
WITH_NUL = "можно\u0000 ли привести на занятие собаку-поводыря"


async def test_a_nul_character_in_a_max_name_and_question_loses_nothing(
    max_on_pg: FakeMaxServer,
) -> None:
    """A MAX client sends U+0000 inside the name and the question: the person is welcomed,
    the question becomes a ticket and the MAX admin reads it, without the invisible character."""
    fake = max_on_pg
    fake.bot_started(NUL_NAME)
    welcome = (await fake.wait_sent(NUL_NAME, 1, within=15))[0]
    assert "Кто вы?" in welcome.plain, welcome.plain
    fake.press(NUL_NAME, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(NUL_NAME, 2)
    fake.user_writes(NUL_NAME, WITH_NUL)
    unknown = (await fake.wait_sent(NUL_NAME, 3))[-1]
    assert texts.ERROR[:20] not in unknown.plain, unknown.plain
    fake.press(NUL_NAME, unknown, texts.BTN_ASK_SHORT)
    assert "№1" in (await fake.wait_sent(NUL_NAME, 4, within=15))[-1].plain
    card = (await fake.wait_sent(MAX_ADMIN, 2, within=15))[-1]
    assert "Ольга Петрова" in card.plain and UNKNOWN in card.plain, card.plain


async def test_a_nul_character_in_a_telegram_question_loses_nothing(harness: BotHarness) -> None:
    """The same in Telegram (a forged client, a self-hosted Bot API): the question is
    answered as a question, not with «что-то пошло не так»."""
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    h.server.drain(PARENT.id)
    reply = await h.say(PARENT, WITH_NUL)
    assert texts.ERROR[:20] not in reply.text, reply.text
    assert "специалист" in reply.text.lower(), reply.text
