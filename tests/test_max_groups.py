"""MAX group chats through the fake MAX server: the bot added to a group (registered, MAX
admins told with the audience buttons), /bind /tag /unbind by an admin and refused to anyone
else, the bind buttons, the bot removed; and one broadcast reaching a Telegram group, MAX
groups and a MAX subscriber exactly once each, with a MAX 403, «Ознакомлен» and «Отписаться»
pressed in MAX and `broadcast status --json` counting per messenger."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from subprocess import PIPE

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot import texts
from bot.app.jobs import broadcast_channel
from bot.core import metrics
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.services.chats.listing import render_registry
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.texts import broadcasts as tb
from bot.texts import chats as t
from broadcasts.channel import Failed
from broadcasts.channels import ChannelRouter
from broadcasts.content import Content
from broadcasts.limiter import RateLimiter
from broadcasts.runtime import Options
from broadcasts.service import Target, counts_by_channel, create_broadcast, status
from broadcasts.worker import BroadcastWorker
from handlers.max import group_staff, groups
from handlers.max.client import MaxClient
from handlers.max.context import MaxContext
from handlers.max.ids import MaxIds
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import Ack, BroadcastState, Chat, ChatAudience, Subscription, User
from storage.repositories import Repositories
from storage.repositories.chats import audiences_of, tags_of
from tests.conftest import make_settings, process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_groups import IdMessenger, ListRoutes, Pump

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
ADMIN = MaxUser(501, "Ольга", "Методист", username="olga")
STRANGER = MaxUser(502, "Пётр")
PARENT = MaxUser(601, "Анна")
GROUP, OTHER = -68_000_000_000_001, -68_000_000_000_002
TG_GROUP = -1001001


@dataclass
class World:
    max: FakeMaxServer
    ctx: MaxContext
    pump: Pump
    sm: SessionMaker
    settings: Settings

    async def internal(self, kind: str, max_id: int) -> int:
        async with self.sm() as session:
            repo = Repositories(session)
            found = await repo.channel_ids.internal("max", kind, max_id)  # type: ignore[arg-type]
            await repo.commit()
            return found

    async def chat(self, max_chat_id: int) -> Chat | None:
        chat_id = await self.internal("chat", max_chat_id)
        async with self.sm() as session:
            return await Repositories(session).chats.get(chat_id)


@pytest.fixture
async def world(db_path: Path, faq_service: FaqService) -> AsyncIterator[World]:
    async with FakeMaxServer() as fake:
        settings = make_settings(
            db_path, max_bot_token=fake.token, max_api_url=fake.url,
            max_admin_ids=str(ADMIN.user_id),
        )  # fmt: skip
        engine = create_engine(settings.database_url)
        sm = create_sessionmaker(engine)
        fake.dialog(ADMIN)
        async with MaxClient(fake.token, base_url=fake.url) as client:
            clock = FrozenClock(NOW)
            messenger = IdMessenger(client, MaxIds(sm))
            ctx = MaxContext(client, messenger, settings, sm, clock, faq_service,
                             QueryLog(sm, clock))  # fmt: skip
            routes = ListRoutes()
            groups.register(routes)
            yield World(fake, ctx, Pump(ctx, routes), sm, settings)
        await engine.dispose()


async def test_admin_adds_binds_and_tags_a_group_strangers_are_refused(world: World) -> None:
    world.max.bot_added(GROUP, by=ADMIN, title="Родители 1А <школа>")
    assert await world.pump() == [True]
    chat = await world.chat(GROUP)
    assert chat is not None and chat.is_active and chat.kind == "chat"
    assert chat.title == "Родители 1А <школа>" and channel_of(chat.id) == "max"
    (notice,) = world.max.sent_to(ADMIN)
    assert "Родители 1А &lt;школа&gt;" in notice.text and f"{GROUP}" in notice.text
    assert f"{chat.id}" not in notice.text  # MAX's id of the group, not the bot's internal one
    assert [b["text"] for row in notice.buttons() for b in row][:2] == ["Родители", "Руководители"]

    world.max.user_writes(STRANGER, "/bind parents", chat_id=GROUP)
    await world.pump()
    assert world.max.sent_to(GROUP)[-1].plain == t.BIND_STAFF_ONLY
    assert audiences_of(await world.chat(GROUP)) == []  # type: ignore[arg-type]

    world.max.user_writes(ADMIN, "/bind parents school5", chat_id=GROUP)
    world.max.user_writes(ADMIN, "/tag@moc_test_bot lyceum", chat_id=GROUP)
    world.max.user_writes(ADMIN, "привет всем", chat_id=GROUP)  # not a command: not ours
    assert await world.pump() == [True, True, False]
    chat = await world.chat(GROUP)
    assert chat is not None and audiences_of(chat) == ["parents"]
    assert tags_of(chat) == ["lyceum", "school5"]
    reply = world.max.sent_to(GROUP)[-1].plain
    assert "Родители" in reply and "lyceum" in reply

    # the admin's button in the private notice toggles an audience and rewrites the message
    callback_id = world.max.press(ADMIN, notice, "Педагоги")
    await world.pump()
    assert audiences_of(await world.chat(GROUP)) == ["parents", "teachers"]  # type: ignore[arg-type]
    body = dict(world.max.answers)[callback_id]
    assert "Педагоги" in body["notification"]
    assert "✅ Педагоги" in [b["text"] for row in body["message"]["attachments"][0]["payload"]
                            ["buttons"] for b in row]  # fmt: skip

    world.max.user_writes(ADMIN, "/unbind teachers", chat_id=GROUP)
    world.max.user_writes(ADMIN, "/bind", chat_id=GROUP)
    await world.pump()
    picker = world.max.sent_to(GROUP)[-1]
    assert audiences_of(await world.chat(GROUP)) == ["parents"]  # type: ignore[arg-type]
    pressed = world.max.press(STRANGER, picker, "Руководители")
    await world.pump()
    assert dict(world.max.answers)[pressed]["notification"] == texts.ADMIN_ONLY
    world.max.press(ADMIN, picker, "Руководители")
    await world.pump()
    assert audiences_of(await world.chat(GROUP)) == ["directors", "parents"]  # type: ignore[arg-type]

    world.max.bot_removed(GROUP, ADMIN)
    await world.pump()
    removed = await world.chat(GROUP)
    assert removed is not None and not removed.is_active


async def test_a_command_addressed_to_another_bot_is_left_to_it(world: World) -> None:
    """«/bind@other_bot parents» in a group with two bots is the other bot's: ours neither
    binds the group nor answers (as Telegram's Command filter); «/bind@MOC_TEST_BOT» is ours.
    The runtime learns its own name from GET /me at start."""
    world.ctx.roster.deep_links["max"] = f"https://max.ru/{world.max.bot.username}"
    world.pump.routes.add("message_created", group_staff.elsewhere)
    world.max.bot_added(GROUP, by=ADMIN, title="Родители 1А")
    await world.pump()
    world.max.user_writes(ADMIN, "/bind@other_bot parents", chat_id=GROUP)
    world.max.user_writes(STRANGER, "/tickets@other_bot", chat_id=GROUP)
    assert await world.pump() == [False, False]
    assert world.max.sent_to(GROUP) == []
    assert audiences_of(await world.chat(GROUP)) == []  # type: ignore[arg-type]

    world.max.user_writes(ADMIN, "/bind@MOC_TEST_BOT parents", chat_id=GROUP)
    world.max.user_writes(STRANGER, "/tickets@moc_test_bot", chat_id=GROUP)
    assert await world.pump() == [True, True]
    assert audiences_of(await world.chat(GROUP)) == ["parents"]  # type: ignore[arg-type]
    assert world.max.sent_to(GROUP)[-1].plain == texts.ADMIN_ONLY


async def test_strangers_adding_the_bot_reach_admins_at_most_once_an_hour(world: World) -> None:
    world.max.bot_added(GROUP, by=STRANGER)
    world.max.bot_added(OTHER, by=STRANGER)
    await world.pump()
    assert [await world.chat(g) is not None for g in (GROUP, OTHER)] == [True, True]
    (notice,) = world.max.sent_to(ADMIN)
    assert "Пётр (id 502)" in notice.plain


async def test_one_broadcast_reaches_telegram_and_max_once_each(world: World) -> None:
    for group in (GROUP, OTHER):
        world.max.bot_added(group, by=ADMIN)
        world.max.user_writes(ADMIN, "/bind parents", chat_id=group)
    await world.pump()
    world.max.dialog(PARENT)
    parent = await world.internal("user", PARENT.user_id)
    async with world.sm() as s:
        chat = Chat(id=TG_GROUP, kind="supergroup", title="Родители TG")
        chat.audiences = [ChatAudience(chat_id=TG_GROUP, audience="parents")]
        s.add_all([chat, User(id=parent, first_name=PARENT.first_name)])
        await s.flush()
        s.add(Subscription(user_id=parent, audience="parents"))
        content = Content("text", "<b>Собрание</b> в четверг", ack=True)
        target = Target(("parents",))
        broadcast = await create_broadcast(
            s, author_id=1000, content=content, target=target, at=None, now=NOW
        )
        await s.commit()
    world.max.block(OTHER)  # the bot lost that group without telling: MAX answers 403
    world.max.fail_next(429, "too.many.requests", "slow down")  # paces MAX, not Telegram
    sent_to_max = {"status": "sent", "channel": "max"}
    before = metrics.value("moc_broadcast_messages_total", **sent_to_max)

    async with FakeTelegramServer() as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        channel, client = broadcast_channel(world.settings, world.sm, bot)
        options = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)
        limiter = RateLimiter(200.0)
        worker = BroadcastWorker(world.sm, channel, FrozenClock(NOW), instance_id="both",
                                 options=options, limiter=limiter)  # fmt: skip
        try:
            await worker.run_once()
        finally:
            assert client is not None
            await client.close()
            await bot.session.close()
        assert len(tg.sent_to(TG_GROUP)) == 1
    assert limiter.rate() == 200.0 and limiter.paused_for() == 0  # a MAX 429 paused one chat
    (in_group,) = [m for m in world.max.sent_to(GROUP) if "Собрание" in m.text]
    (in_dialog,) = world.max.sent_to(PARENT)
    assert [m for m in world.max.sent_to(OTHER) if "Собрание" in m.text] == []
    assert in_group.text == "<b>Собрание</b> в четверг"
    assert metrics.value("moc_broadcast_messages_total", **sent_to_max) == before + 2
    async with world.sm() as s:
        shown = await status(s, broadcast.id)
        per_channel = await counts_by_channel(s, broadcast.id)
    assert shown is not None
    assert (shown.state, shown.total, shown.sent, shown.blocked) == (BroadcastState.DONE, 4, 3, 1)
    assert per_channel == {
        "max": {"total": 3, "sent": 2, "failed": 0, "blocked": 1, "pending": 0},
        "tg": {"total": 1, "sent": 1, "failed": 0, "blocked": 0, "pending": 0},
    }
    lost = await world.chat(OTHER)
    assert lost is not None and not lost.is_active

    # «Ознакомлен» pressed in the MAX group, twice; «Отписаться» in the parent's dialog
    first = world.max.press(STRANGER, in_group, "✅ Ознакомлен")
    again = world.max.press(STRANGER, in_group, "✅ Ознакомлен")
    world.max.press(PARENT, in_dialog, "Отписаться")
    assert await world.pump() == [True, True, True]
    answers = dict(world.max.answers)
    assert (answers[first]["notification"], answers[again]["notification"]) == (
        tb.ACK_THANKS, tb.ACK_AGAIN,
    )  # fmt: skip
    async with world.sm() as s:
        acks = (await s.scalars(select(Ack))).all()
        subscriptions = (await s.scalars(select(Subscription))).all()
    group_id, presser = await world.internal("chat", GROUP), await world.internal("user", 502)
    assert [(a.broadcast_id, a.chat_id, a.user_id) for a in acks] == [
        (broadcast.id, group_id, presser)
    ]
    assert subscriptions == []
    assert "отписались" in world.max.sent_to(PARENT)[-1].plain

    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "broadcast", "status", str(broadcast.id), "--json",
        cwd=ROOT, env=process_env(world.settings.database_url), stdout=PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(cli.communicate(), timeout=120)
    assert cli.returncode == 0
    assert json.loads(out) == {
        "total": 4, "sent": 3, "failed": 0, "blocked": 1, "pending": 0, "state": "done",
        "channels": per_channel,
    }  # fmt: skip


async def test_chats_report_names_the_messenger_and_unconfigured_ones_never_deliver(
    world: World,
) -> None:
    world.max.bot_added(GROUP, by=ADMIN, title="Родители MAX")
    await world.pump()
    max_chat = await world.chat(GROUP)
    assert max_chat is not None
    tg_chat = Chat(id=TG_GROUP, kind="supergroup", title="Родители TG", is_active=True)
    tg_chat.audiences, tg_chat.tags = [], []
    (report,) = render_registry([max_chat, tg_chat], {}, {}, {max_chat.id: GROUP})
    assert f"— MAX, группа, <code>{GROUP}</code>" in report  # the id MAX shows, not ours
    assert str(max_chat.id) not in report
    assert f"— Telegram, супергруппа, <code>{TG_GROUP}</code>" in report
    # a process without MAX_BOT_TOKEN: a MAX row waits and is retried, never sent elsewhere
    telegram_only = ChannelRouter({})
    outcome = await telegram_only.send(
        max_chat.id, Content("text", "x"), broadcast_id=1, is_private=False
    )
    assert isinstance(outcome, Failed) and not outcome.permanent


async def test_max_sends_keep_max_rate_while_telegram_keeps_its_own(world: World) -> None:
    groups_max = [GROUP - n for n in range(8)]
    for group in groups_max:
        world.max.bot_added(group, by=ADMIN)
        world.max.user_writes(ADMIN, "/bind teachers", chat_id=group)
    await world.pump()
    async with world.sm() as s:
        content = Content("text", "Семинар для педагогов")
        target = Target(("teachers",))
        broadcast = await create_broadcast(
            s, author_id=1000, content=content, target=target, at=None, now=NOW
        )
        await s.commit()
    world.max.set_limits(per_chat=None, global_rps=5)  # MAX answers 429 above 5 requests/s
    settings = world.settings.model_copy(update={"max_rate": 3.0})
    async with FakeTelegramServer() as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        channel, client = broadcast_channel(settings, world.sm, bot)
        worker = BroadcastWorker(
            world.sm, channel, FrozenClock(NOW),
            instance_id="paced", options=Options(check_every=0.1), limiter=RateLimiter(200.0),
        )  # fmt: skip
        try:
            await worker.run_once()
        finally:
            assert client is not None
            await client.close()
            await bot.session.close()
    refused = [c for c in world.max.calls_to("POST", "/messages") if c.status == 429]
    assert refused == []
    async with world.sm() as s:
        shown = await status(s, broadcast.id)
    assert shown is not None and (shown.sent, shown.total) == (8, 8)
