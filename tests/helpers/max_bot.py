"""The real MAX runtime against a fake MAX server on a test's database: for tests whose
precondition is «the bot already met this MAX group» reached the way production reaches it
(`bot_added` → handlers/max/groups.py), not by writing rows by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.core.clock import SystemClock
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser


@asynccontextmanager
async def running_max_bot(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService, owner: MaxUser
) -> AsyncIterator[FakeMaxServer]:
    """The bot polling a fake MAX server, `owner` in MAX_ADMIN_IDS (told of new groups)."""
    async with FakeMaxServer() as fake:
        settings = make_settings(
            db_path, bot_token=None, admin_ids="", staff_chat_id=None,
            max_bot_token=fake.token, max_api_url=fake.url, max_admin_ids=str(owner.user_id),
        )  # fmt: skip
        services = Services(settings, sessionmaker, faq_service)
        runtime = MaxRuntime(
            settings, sessionmaker, services.faq, services.querylog, SystemClock(),
            services.switchboard, poll_seconds=1, roster=services.roster,
        )  # fmt: skip
        await runtime.start()
        fake.dialog(owner)
        try:
            yield fake
        finally:
            await runtime.stop()


async def bot_added(fake: FakeMaxServer, chat_id: int, owner: MaxUser, title: str) -> None:
    """`owner` adds the bot to a MAX group; returns once the bot has registered it (the
    owner's private notice comes after the registry is committed)."""
    before = len(fake.sent_to(owner))
    fake.bot_added(chat_id, by=owner, title=title)
    await fake.wait_sent(owner, before + 1)
