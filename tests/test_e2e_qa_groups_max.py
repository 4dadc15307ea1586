"""An outside QA pass over MAX group chats and channels through the fake MAX server, the real
group handlers and the real broadcast worker: a directors' MAX channel bound by an admin gets
a broadcast with «Ознакомлен», and a director's press there is taken, as in a Telegram
channel; bots writing in a parents' group are not answered there."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app.jobs import broadcast_channel
from bot.core.clock import FrozenClock
from bot.services.staff import ack_lists
from bot.texts import broadcasts as tb
from bot.texts import chats as t
from broadcasts.content import Content
from broadcasts.limiter import RateLimiter
from broadcasts.runtime import Options
from broadcasts.service import Target, create_broadcast
from broadcasts.worker import BroadcastWorker
from storage.models import Ack
from storage.repositories import Repositories
from storage.repositories.chats import audiences_of
from tests.fakes.max_model import FakeChat, MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import MOTHER, Both
from tests.test_e2e_max_runtime_groups import GROUP, METHODIST, _group_row
from tests.test_e2e_max_runtime_groups import staffed as staffed  # a fixture
from tests.test_max_groups import ADMIN, NOW, World
from tests.test_max_groups import world as world  # a fixture

CHANNEL = -68_000_000_000_077
DIRECTOR = MaxUser(701, "Лидия", "Директорова")
DIARY_BOT = MaxUser(90_000_000_001, "Дневник", username="diary_bot", is_bot=True)


async def deliver(world: World, content: Content, audience: str) -> int:
    """A broadcast to `audience`, sent by the real worker through the MAX channel; its id."""
    async with world.sm() as session:
        broadcast = await create_broadcast(
            session, author_id=1000, content=content,
            target=Target((audience,), include_private=False), at=None, now=NOW,
        )  # fmt: skip
        await session.commit()
    async with FakeTelegramServer() as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        channel, client = broadcast_channel(world.settings, world.sm, bot)
        options = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)
        worker = BroadcastWorker(world.sm, channel, FrozenClock(NOW), instance_id="qa",
                                 options=options, limiter=RateLimiter(200.0))  # fmt: skip
        try:
            await worker.run_once()
        finally:
            assert client is not None
            await client.close()
            await bot.session.close()
    return broadcast.id


async def test_ozn_pressed_in_a_bound_max_channel_is_taken(world: World) -> None:
    world.max.chats[CHANNEL] = FakeChat(CHANNEL, "channel", "Руководители школ района")
    world.max.push_update("bot_added", chat_id=CHANNEL, user=ADMIN.json(), is_channel=True)
    assert await world.pump() == [True]
    (notice,) = world.max.sent_to(ADMIN)
    world.max.press(ADMIN, notice, "Руководители")  # the channel is for directors
    await world.pump()
    chat = await world.chat(CHANNEL)
    assert chat is not None and chat.kind == "channel" and audiences_of(chat) == ["directors"]

    bid = await deliver(world, Content("text", "Совещание в пятницу", ack=True), "directors")
    (post,) = [m for m in world.max.sent_to(CHANNEL) if "Совещание" in m.text]
    pressed = world.max.press(DIRECTOR, post, "✅ Ознакомлен")
    again = world.max.press(DIRECTOR, post, "✅ Ознакомлен")
    await world.pump()
    answers = dict(world.max.answers)
    assert answers[pressed]["notification"] == tb.ACK_THANKS
    assert answers[again]["notification"] == tb.ACK_AGAIN
    async with world.sm() as session:
        acks = (await session.scalars(select(Ack))).all()
        listed = ack_lists.render(bid, await ack_lists.gather(Repositories(session), bid))
    assert [a.chat_id for a in acks] == [chat.id]
    assert "<b>Руководители школ района</b> — 1:" in listed[0] and "Лидия Директорова" in listed[0]


async def test_bots_in_a_max_group_are_not_answered(staffed: Both) -> None:
    """Another bot in the parents' group (a school diary bot posting «/start» prompts), or an
    announcement that names @moc_test_bot coming back as a message: no pointer under them,
    as the dialog never answers a bot either; a parent asking the same still gets one."""
    h = staffed
    h.max.bot_added(GROUP, METHODIST)
    assert await _group_row(h) is not None
    h.max.user_writes(METHODIST, "/bind parents", chat_id=GROUP)
    await h.max.wait_sent(GROUP, 1)
    before = len(h.max.sent_to(GROUP))

    h.max.user_writes(DIARY_BOT, "/start — подключите дневник", chat_id=GROUP)
    h.max.user_writes(h.max.bot, "Вопросы о сертификате — боту @moc_test_bot", chat_id=GROUP)
    h.max.user_writes(DIARY_BOT, "/bind teachers", chat_id=GROUP)
    h.max.user_writes(MOTHER, "@moc_test_bot, как активировать сертификат?", chat_id=GROUP)
    await h.max.wait_sent(GROUP, before + 1)
    await asyncio.sleep(0.5)  # nothing more comes
    assert [m.plain for m in h.max.sent_to(GROUP)[before:]] == [t.IN_GROUP]
