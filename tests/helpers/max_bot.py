"""The real MAX runtime against a fake MAX server on a test's database, with no Telegram
(`max_only_bot`), and the steps a MAX user takes there; for tests whose precondition is «the
bot already met this MAX group», `bot_added` reaches it the way production does
(handlers/max/groups.py), not by writing rows by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot import texts
from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message


def max_settings(
    db_path: Path, fake: FakeMaxServer, *admins: MaxUser, **overrides: Any
) -> Settings:
    """No BOT_TOKEN, the bot polling `fake`, `admins` in MAX_ADMIN_IDS; the rest of
    make_settings kept unless overridden."""
    return make_settings(
        db_path, bot_token=None, max_bot_token=fake.token, max_api_url=fake.url,
        max_admin_ids=",".join(str(admin.user_id) for admin in admins), **overrides,
    )  # fmt: skip


@asynccontextmanager
async def max_only_bot(
    db_path: Path, sessionmaker: SessionMaker, faq: FaqService, *admins: MaxUser,
    clock: Clock | None = None, prepare: Callable[[FakeMaxServer], object] | None = None,
) -> AsyncIterator[tuple[FakeMaxServer, Services]]:  # fmt: skip
    """A MAX-only МОЦ (no BOT_TOKEN, no Telegram staff chat) polling a fake MAX server,
    `admins` in MAX_ADMIN_IDS: they are its staff and get the tickets privately. `prepare`
    sets the fake up before the bot starts (a failure its start-up should meet)."""
    async with FakeMaxServer() as fake:
        if prepare is not None:
            prepare(fake)
        settings = max_settings(db_path, fake, *admins, admin_ids="", staff_chat_id=None)
        services = Services(settings, sessionmaker, faq, clock or SystemClock())
        runtime = MaxRuntime(
            settings, sessionmaker, services.faq, services.querylog, services.clock,
            services.switchboard, poll_seconds=1, roster=services.roster,
        )  # fmt: skip
        await runtime.start()
        try:
            yield fake, services
        finally:
            await runtime.stop()


@asynccontextmanager
async def running_max_bot(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService, owner: MaxUser
) -> AsyncIterator[FakeMaxServer]:
    """The bot polling a fake MAX server, `owner` in MAX_ADMIN_IDS (told of new groups)."""
    async with max_only_bot(db_path, sessionmaker, faq_service, owner) as (fake, _):
        fake.dialog(owner)
        yield fake


async def say(fake: FakeMaxServer, user: MaxUser, text: str, replies: int = 1) -> list[Message]:
    """`user` writes `text`; the bot's next `replies` messages to them."""
    before = len(fake.sent_to(user))
    fake.user_writes(user, text)
    return (await fake.wait_sent(user, before + replies, within=20))[before:]


async def start(fake: FakeMaxServer, user: MaxUser, payload: str | None, n: int = 1) -> Message:
    """The card of a deep link (`n`: and the greeting that follows for someone new)."""
    before = len(fake.sent_to(user))
    fake.bot_started(user, payload)
    return (await fake.wait_sent(user, before + n))[before]


async def answer_to(fake: FakeMaxServer, callback_id: str) -> dict[str, Any]:
    """The body a press was answered with (POST /answers)."""
    for _ in range(300):
        for cid, body in fake.answers:
            if cid == callback_id:
                return body
        await asyncio.sleep(0.05)
    raise TimeoutError(callback_id)


async def answered(fake: FakeMaxServer, callback_id: str) -> str:
    """The notification a press was answered with (POST /answers)."""
    return str((await answer_to(fake, callback_id)).get("notification") or "")


async def bot_added(fake: FakeMaxServer, chat_id: int, owner: MaxUser, title: str) -> None:
    """`owner` adds the bot to a MAX group; returns once the bot has registered it (the
    owner's private notice comes after the registry is committed)."""
    before = len(fake.sent_to(owner))
    fake.bot_added(chat_id, by=owner, title=title)
    await fake.wait_sent(owner, before + 1)


async def ticket_from(
    fake: FakeMaxServer, admin: MaxUser, parent: MaxUser, question: str
) -> Message:
    """`admin` opens the bot, `parent` picks «Родитель», asks what the KB does not answer and
    sends it to a specialist; returns the ticket's card that reached the admin."""
    fake.bot_started(admin)
    await fake.wait_sent(admin, 1)
    fake.bot_started(parent)
    welcome = (await fake.wait_sent(parent, 1))[0]
    fake.press(parent, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(parent, 2)
    unknown = (await say(fake, parent, question))[-1]
    fake.press(parent, unknown, texts.BTN_ASK_SHORT)
    assert "Номер обращения" in (await fake.wait_sent(parent, 4))[-1].plain
    return (await fake.wait_sent(admin, 2, within=20))[-1]
