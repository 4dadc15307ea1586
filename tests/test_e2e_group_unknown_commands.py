"""Commands in a parents' group: one to another bot or «/» in talk is the members' own (no
answer); one put to our bot that it does not have — «/foo@bot», or «/foo» replying to the
bot — is «Такой команды нет» once per few minutes in a group. Before, every such reply got
its own answer and a group tapping commands flooded itself. Telegram and MAX, through the
real bots and the fake servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.services.chats.pointers import POINTER_EVERY
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import BotHarness, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import Both
from tests.test_e2e_chats import GROUP, in_group
from tests.test_e2e_group_refusals import MAX_GROUP, NOW, parent
from tests.test_e2e_group_refusals import clock as clock  # a fixture
from tests.test_e2e_max_runtime_groups import METHODIST, _group_row


async def test_a_telegram_group_hears_of_an_unknown_command_once(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    for text in ("/foo", "/start@OtherBot", "/strat@other_bot", "обсудим /foo завтра"):
        in_group(h, parent(1), text)
    await h.server.idle()
    assert h.server.drain(GROUP) == [], "nothing of that was put to our bot"

    in_group(h, parent(2), "/strat@moc_test_bot")
    said = await h.server.next_message(GROUP)
    assert said.text == texts.UNKNOWN_COMMAND
    for n in range(3, 8):  # more typos, by name or as replies to the bot's message
        if n % 2:
            h.server.user_sends(
                "/foo", user=parent(n), chat_id=GROUP, chat_type="group", reply_to=said
            )
        else:
            in_group(h, parent(n), "/foo@moc_test_bot")
    await h.server.idle()
    assert h.server.drain(GROUP) == [], "one answer is there for all to read"

    clock.set(NOW + POINTER_EVERY + timedelta(seconds=1))
    in_group(h, parent(9), "/foo@moc_test_bot")
    assert (await h.server.next_message(GROUP)).text == texts.UNKNOWN_COMMAND


@pytest.fixture
async def clocked(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Any,
    sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock,
) -> AsyncIterator[Both]:  # fmt: skip
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, clock=clock,
        max_admin_ids=str(METHODIST.user_id),
    ) as h:  # fmt: skip
        yield h


async def test_a_max_group_hears_of_an_unknown_command_once(
    clocked: Both, clock: FrozenClock
) -> None:
    h = clocked
    h.max.bot_added(MAX_GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(MAX_GROUP))
    mother = MaxUser(50_000_005_001, "Мама")
    for text in ("/foo", "/start@other_bot", "обсудим /foo завтра"):
        h.max.user_writes(mother, text, MAX_GROUP)
    for n in range(5):
        someone = MaxUser(50_000_005_010 + n, f"Мама {n}")
        h.max.user_writes(someone, "/strat@moc_test_bot", MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, before + 1)
    await asyncio.sleep(1.0)  # nothing more comes
    assert [m.plain for m in h.max.sent_to(MAX_GROUP)[before:]] == [texts.UNKNOWN_COMMAND]

    clock.set(NOW + POINTER_EVERY + timedelta(seconds=1))
    h.max.user_writes(mother, "/foo@moc_test_bot", MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, before + 2)
    assert h.max.sent_to(MAX_GROUP)[-1].plain == texts.UNKNOWN_COMMAND
