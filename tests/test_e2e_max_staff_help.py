"""Every command MAX's /help lists for МОЦ staff works in MAX: each one, sent as the help
shows it, gets an answer other than «Такой команды нет» (a command added to the help but not
to handlers/max, or one only Telegram serves, fails here). Over the fake MAX server."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import max_only_bot, say, ticket_from

ADMIN = MaxUser(52_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(52_000_000_123, "Ольга", "Петрова")


async def test_every_command_in_max_staff_help_is_served(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())  # /reload_faq swaps this one, not the shared
    async with max_only_bot(db_path, sessionmaker, faq, ADMIN) as (fake, _):
        await ticket_from(fake, ADMIN, MOTHER, "можно ли привести на занятие собаку-поводыря")
        (helped,) = await say(fake, ADMIN, "/help")
        listed = list(dict.fromkeys(re.findall(r"/[a-z_]+", helped.plain)))
        assert {"/tickets", "/faq_drafts", "/reload_faq", "/new_event", "/web"} <= set(listed)
        for command in listed:
            if command == "/help":
                continue
            before = len(fake.sent_to(ADMIN))
            await say(fake, ADMIN, command)
            await asyncio.sleep(0.5)  # a command's later messages (cards, a file) too
            replies = [m.plain for m in fake.sent_to(ADMIN)[before:]]
            assert texts.UNKNOWN_COMMAND not in replies, (command, replies)
