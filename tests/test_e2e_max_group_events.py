"""What MAX reports about a group or channel, handled as the Telegram routers handle theirs
(checked against maxapi's update models and dev.max.ru): the bot's admin rights taken away
(`bot_admin_permissions_changed`: staff told with the chat's MAX id, as Telegram's «боту
запретили писать»), and the bot picked from MAX's mention list (the text shows its name, the
`user_mention` markup its @username): the person gets the pointer to the dialog, as a
Telegram mention does. Through the MAX runtime and the fake MAX server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.services.faq import FaqService
from bot.texts import chats as t
from storage.db import SessionMaker
from tests.conftest import running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import FakeChat, MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import MOTHER, Both
from tests.helpers.wait import until
from tests.test_e2e_max_runtime_groups import METHODIST, _group_row

GROUP = -70_000_555_003
CHANNEL = -70_000_555_004


@pytest.fixture
async def staffed(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Any,
    sessionmaker: SessionMaker, faq_service: FaqService,
) -> AsyncIterator[Both]:  # fmt: skip
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service,
        max_admin_ids=str(METHODIST.user_id),
    ) as h:  # fmt: skip
        yield h


async def test_a_channel_that_took_the_bots_admin_rights_is_reported_to_staff(
    staffed: Both,
) -> None:
    h = staffed
    h.max.chats[CHANNEL] = FakeChat(CHANNEL, "channel", "Руководители школ района")
    h.max.push_update("bot_added", chat_id=CHANNEL, user=METHODIST.json(), is_channel=True)
    (notice,) = await h.max.wait_sent(METHODIST, 1)
    h.max.press(METHODIST, notice, "Руководители")
    await until(lambda: "получает рассылки для: Руководители" in notice.plain, 10, "bound")
    before = len(h.max.sent_to(METHODIST))

    await h.runtime.dispatcher.feed(h.max.bot_rights_changed(CHANNEL, METHODIST, is_admin=False))
    await h.max.wait_sent(METHODIST, before + 1)
    told = h.max.sent_to(METHODIST)[-1].plain
    assert "боту запретили писать" in told and "Руководители школ района" in told, told
    assert str(CHANNEL) in told and "Руководители" in told


async def test_the_bot_picked_from_the_mention_list_answers_with_the_pointer(
    staffed: Both,
) -> None:
    h = staffed
    h.max.bot_added(GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(GROUP))
    h.max.user_mentions_bot(MOTHER, GROUP, "", ", как записаться на кружок?")
    await h.max.wait_sent(GROUP, before + 1)
    assert h.max.sent_to(GROUP)[-1].plain == t.IN_GROUP
    h.max.user_writes(MaxUser(50_000_003_001, "Отец"), "Кто завтра идёт на собрание?", GROUP)
    await asyncio.sleep(1.0)
    assert len(h.max.sent_to(GROUP)) == before + 1  # talk among parents gets no answer
