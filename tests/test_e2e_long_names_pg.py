"""A MAX person whose name is longer than our columns hold, on PostgreSQL (the regional setup).

Why PostgreSQL: SQLite ignores VARCHAR lengths, so the quick run never notices; PostgreSQL
refuses the row, and every update of that person failed before the bot said a word. Telegram
caps names at 64 characters; MAX promises no limit, and a hostile client sends what it likes.
The name is clipped where it is stored, so the person is served, and the staff see the start
of it (escaped: it looks like HTML).
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
from tests.conftest import Backend
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
