"""An outside QA pass over MAX group chats and channels through the fake MAX server, the real
group handlers and the real broadcast worker: a directors' MAX channel bound by an admin gets
a broadcast with «Ознакомлен», and a director's press there is taken, as in a Telegram
channel."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.app.jobs import broadcast_channel
from bot.core.clock import FrozenClock
from bot.services.staff import ack_lists
from bot.texts import broadcasts as tb
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
from tests.test_max_groups import ADMIN, NOW, World
from tests.test_max_groups import world as world  # a fixture

CHANNEL = -68_000_000_000_077
DIRECTOR = MaxUser(701, "Лидия", "Директорова")


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
