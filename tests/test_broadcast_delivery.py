"""A broadcast end to end: the real aiogram Bot talks HTTP to the fake Bot API server.

What an МОЦ admin would check by hand: every chat gets the announcement exactly once with its
buttons, a group that removed the bot is switched off, a group that became a supergroup is
followed, floods and server errors are waited out, nothing goes out before its time, a
broadcast missed while the bot was down is reported instead of sent late, and a weekly one
books its next week.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.core.clock import FrozenClock
from broadcasts.content import Content, LinkButton
from broadcasts.runtime import Options
from broadcasts.service import Target, cancel_broadcast, create_broadcast, create_notice, status
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.callbacks import AckCb, UnsubCb
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import (
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    Delivery,
    DeliveryStatus,
    Subscription,
    User,
)
from storage.repositories.chats import ChatRepo, audiences_of
from tests.fakes.telegram_api import FakeFile, FakeTelegramServer

NOW = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
AUTHOR = 1000
GROUPS = [-1000 - i for i in range(1, 51)]
PRIVATE = [5000 + i for i in range(1, 21)]
BLOCKED_GROUP, BLOCKED_USER = GROUPS[2], PRIVATE[4]
OLD_GROUP, SUPERGROUP = GROUPS[6], -100777
NOTICE = Content(kind="text", text="<b>Родительское собрание</b> в четверг в 18:00", ack=True)
FAST = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2, max_attempts=8)


@dataclass
class World:
    server: FakeTelegramServer
    bot: Bot
    sm: SessionMaker
    clock: FrozenClock

    def worker(self, instance: str = "test", **kwargs: object) -> BroadcastWorker:
        values: dict[str, object] = {"rate": 200.0, "options": FAST, **kwargs}
        return BroadcastWorker(
            self.sm,
            TelegramChannel(self.bot),
            self.clock,
            instance_id=instance,
            **values,  # type: ignore[arg-type]
        )

    async def create(self, content: Content = NOTICE, **kwargs: object) -> int:
        values: dict[str, object] = {"author_id": AUTHOR, "at": None, "now": self.clock.now()}
        values.update(kwargs)
        async with self.sm() as s:
            broadcast = await create_broadcast(
                s,
                content=content,
                target=Target(("parents",)),
                **values,  # type: ignore[arg-type]
            )
            await s.commit()
            return broadcast.id

    def received(self, chat_id: int) -> int:
        return len(self.server.sent_to(chat_id))


@pytest.fixture
async def world(sqlite_or_pg_url: str) -> AsyncIterator[World]:
    engine = create_engine(sqlite_or_pg_url)
    sm = create_sessionmaker(engine)
    await seed(sm)
    async with FakeTelegramServer() as server:  # token 123456:TEST-TOKEN
        api = TelegramAPIServer.from_base(server.url)
        bot = Bot(server.token, session=AiohttpSession(api=api))
        yield World(server, bot, sm, FrozenClock(NOW))
        await bot.session.close()
    await engine.dispose()


async def seed(sm: SessionMaker) -> None:
    """50 parents' groups and 20 parents subscribed in private."""
    async with sm() as s:
        for chat_id in GROUPS:
            s.add(Chat(id=chat_id, title=f"Родители {chat_id}"))
        s.add_all(User(id=uid, first_name=f"Родитель {uid}") for uid in PRIVATE)
        await s.flush()
        s.add_all(ChatAudience(chat_id=chat_id, audience="parents") for chat_id in GROUPS)
        s.add_all(Subscription(user_id=uid, audience="parents") for uid in PRIVATE)
        await s.commit()


async def state_of(world: World, broadcast_id: int) -> str:
    async with world.sm() as s:
        shown = await status(s, broadcast_id)
    assert shown is not None
    return shown.state


async def test_everyone_once_through_blocks_migrations_floods_and_errors(world: World) -> None:
    server = world.server
    progress = await world.bot.send_message(AUTHOR, "Рассылка запланирована")
    server.block(BLOCKED_GROUP)
    server.block(BLOCKED_USER)
    server.migrate(OLD_GROUP, SUPERGROUP)
    server.fail_next("sendMessage", status=429, retry_after=1, count=3)
    server.fail_next("sendMessage", status=500, count=4)
    broadcast_id = await world.create(
        at=NOW + timedelta(hours=1), progress=(AUTHOR, progress.message_id)
    )
    worker = world.worker()

    await worker.run_once()
    assert sum(world.received(c) for c in GROUPS + PRIVATE) == 0  # not yet its time
    world.clock.advance(timedelta(hours=1))
    await worker.run_once()

    expected = [c for c in GROUPS + PRIVATE if c not in (BLOCKED_GROUP, BLOCKED_USER, OLD_GROUP)]
    assert {c: world.received(c) for c in expected} == dict.fromkeys(expected, 1)
    assert world.received(SUPERGROUP) == 1
    assert world.received(OLD_GROUP) == world.received(BLOCKED_GROUP) == 0
    for chat_id in [*expected, SUPERGROUP]:
        message = server.sent_to(chat_id)[0]
        assert message.button("✅ Ознакомлен").callback_data == AckCb(b=broadcast_id).pack()
        if chat_id > 0:
            assert message.button("Отписаться").callback_data == UnsubCb(a="parents").pack()
        else:
            assert "Отписаться" not in message.inline_texts
    assert (server.stats["429"], server.stats["500"]) == (3, 4)

    async with world.sm() as s:
        shown = await status(s, broadcast_id)
        blocked_chat = await s.get(Chat, BLOCKED_GROUP)
        blocked_user = await s.get(User, BLOCKED_USER)
        moved = await s.get(Chat, SUPERGROUP)
        old = await s.get(Chat, OLD_GROUP)
    assert shown is not None
    assert (shown.state, shown.total, shown.sent, shown.blocked, shown.failed, shown.pending) == (
        BroadcastState.DONE, 70, 68, 2, 0, 0,
    )  # fmt: skip
    assert blocked_chat is not None and not blocked_chat.is_active
    assert blocked_user is not None and not blocked_user.is_active
    assert moved is not None and [a.audience for a in moved.audiences] == ["parents"]
    # the registry's one migration: the old row stays, inactive, pointing at the supergroup
    assert old is not None and (old.is_active, old.migrated_to, old.audiences) == (
        False, SUPERGROUP, []
    )  # fmt: skip
    final = server.sent_to(AUTHOR)[0].text or ""
    assert "Рассылка №" in final and "завершена" in final and "Доставлено: 68 из 70" in final


async def test_a_group_that_moved_mid_broadcast_gets_the_next_one_at_its_new_id(
    world: World,
) -> None:
    world.server.migrate(OLD_GROUP, SUPERGROUP)
    await world.create()
    await world.worker().run_once()
    async with world.sm() as s:  # Telegram's own report of the move arrives afterwards
        await ChatRepo(s).migrate(OLD_GROUP, SUPERGROUP, "Родители 5А")
        await s.commit()
    second = await world.create()
    await world.worker().run_once()
    assert (world.received(SUPERGROUP), world.received(OLD_GROUP)) == (2, 0)
    tried_old = [c for c in world.server.calls if c.params.get("chat_id") == OLD_GROUP]
    assert len(tried_old) == 1  # the refused send taught the registry: never tried again
    async with world.sm() as s:
        shown = await status(s, second)
        moved = await ChatRepo(s).current(OLD_GROUP)
    assert shown is not None and (shown.total, shown.sent) == (70, 70)
    assert moved is not None and (moved.id, audiences_of(moved)) == (SUPERGROUP, ["parents"])


async def test_photo_with_link_button(world: World) -> None:
    world.server.files["PHOTO-1"] = FakeFile("PHOTO-1", "u-photo-1", "afisha.jpg")
    content = Content(
        kind="photo", text="Афиша <i>недели</i>", file_id="PHOTO-1",
        button=LinkButton("Записаться", "https://navigator.example.org"),
    )  # fmt: skip
    await world.create(content)
    await world.worker().run_once()
    message = world.server.sent_to(GROUPS[0])[0]
    assert (message.kind, message.text) == ("photo", "Афиша недели")
    assert message.inline_texts == ["Записаться"]
    assert world.server.sent_to(AUTHOR)[0].text is not None  # the report goes to the author


async def test_missed_broadcast_is_reported_not_sent(world: World) -> None:
    earlier = NOW - timedelta(hours=3)
    broadcast_id = await world.create(at=NOW - timedelta(hours=2), now=earlier, repeat="weekly")
    await world.worker().run_once()
    assert await state_of(world, broadcast_id) == BroadcastState.MISSED
    assert sum(world.received(c) for c in GROUPS + PRIVATE) == 0
    notice = world.server.sent_to(AUTHOR)[0].text or ""
    assert notice.startswith(f"⚠️ Рассылка №{broadcast_id} не отправлена: бот был выключен")
    async with world.sm() as s:
        following = await s.scalar(select(Broadcast).where(Broadcast.id != broadcast_id))
    assert following is not None
    assert following.scheduled_at == NOW - timedelta(hours=2) + timedelta(days=7)


async def test_weekly_books_the_next_week(world: World) -> None:
    broadcast_id = await world.create(repeat="weekly")
    await world.worker().run_once()
    async with world.sm() as s:
        rows = (await s.scalars(select(Broadcast).order_by(Broadcast.id))).all()
    assert [(b.id, b.state) for b in rows] == [
        (broadcast_id, BroadcastState.DONE), (broadcast_id + 1, BroadcastState.SCHEDULED),
    ]  # fmt: skip
    assert rows[1].scheduled_at == NOW + timedelta(days=7)
    assert (rows[1].content, rows[1].audiences, rows[1].repeat) == (
        rows[0].content, rows[0].audiences, "weekly",
    )  # fmt: skip


async def test_cancel_mid_way_stops_within_a_second(world: World) -> None:
    world.server.latency = 0.05
    broadcast_id = await world.create()
    worker = world.worker(rate=20.0)
    running = asyncio.create_task(worker.run_once())
    await world.server.wait_for("sendMessage", timeout=5)
    await asyncio.sleep(0.5)
    async with world.sm() as s:
        assert await cancel_broadcast(s, broadcast_id)
        await s.commit()
    cancelled_at = asyncio.get_running_loop().time()
    await asyncio.wait_for(running, timeout=3)
    sent_after = [
        c
        for c in world.server.calls
        if c.method == "sendmessage" and c.ok and c.at > cancelled_at + 1.0
    ]
    assert [c.params.get("chat_id") for c in sent_after] in ([], [AUTHOR])
    async with world.sm() as s:
        shown = await status(s, broadcast_id)
    assert shown is not None and shown.state == BroadcastState.CANCELLED
    assert 0 < shown.sent < 70 and shown.pending == 70 - shown.sent


async def test_graceful_stop_leaves_the_rest_for_the_next_start(world: World) -> None:
    world.server.latency = 0.02
    broadcast_id = await world.create()
    first = world.worker("a", rate=30.0)
    first.start()
    await world.server.wait_for("sendMessage", timeout=5)
    await asyncio.sleep(0.5)
    await first.stop()
    async with world.sm() as s:
        broadcast = await s.get(Broadcast, broadcast_id)
        shown = await status(s, broadcast_id)
    assert broadcast is not None and broadcast.claimed_by is None
    assert shown is not None and shown.state == BroadcastState.SENDING and shown.pending > 0
    await world.worker("b").run_once()  # another instance resumes at once: the claim was given up
    assert all(world.received(c) == 1 for c in GROUPS + PRIVATE)
    assert await state_of(world, broadcast_id) == BroadcastState.DONE


async def test_errors_are_classified_and_retries_bounded(world: World) -> None:
    flaky, refused, vanished = GROUPS[0], GROUPS[1], GROUPS[2]
    server = world.server
    server.fail_next("sendMessage", status=500, count=100, chat_id=flaky)
    server.fail_next("sendMessage", status=400, description="Bad Request: odd", chat_id=refused)
    server.fail_next(
        "sendMessage", status=400, description="Bad Request: chat not found", chat_id=vanished
    )
    broadcast_id = await world.create()
    await world.worker(options=Options(retry_base_seconds=0.01, max_attempts=3)).run_once()
    async with world.sm() as s:
        rows = {
            d.chat_id: (d.status, d.attempts, d.error)
            for d in await s.scalars(select(Delivery).where(Delivery.chat_id.in_(GROUPS[:3])))
        }
        gone = await s.get(Chat, vanished)
    assert rows == {
        flaky: (DeliveryStatus.FAILED, 3, "Internal Server Error"),
        refused: (DeliveryStatus.FAILED, 1, "Bad Request: odd"),
        vanished: (DeliveryStatus.BLOCKED, 1, "Bad Request: chat not found"),
    }
    assert gone is not None and not gone.is_active
    report = server.sent_to(AUTHOR)[0].text or ""
    assert "Не доставлено из-за ошибок: 2" in report
    # what the messenger said, in the author's words; an unknown reason as it came
    assert "сбой на стороне мессенджера — 1" in report and "Internal Server" not in report
    assert "другая ошибка: Bad Request: odd — 1" in report
    assert await state_of(world, broadcast_id) == BroadcastState.DONE


async def test_two_instances_at_once_send_each_message_once(world: World) -> None:
    world.server.latency = 0.01
    first, second = await world.create(), await world.create()
    await asyncio.gather(world.worker("a").run_once(), world.worker("b").run_once())
    assert all(world.received(c) == 2 for c in GROUPS + PRIVATE)  # one of each broadcast
    async with world.sm() as s:
        owners = {b.id: b.claimed_by for b in await s.scalars(select(Broadcast))}
    assert owners.keys() == {first, second} and None not in owners.values()


async def test_a_group_bound_after_composing_is_included(world: World) -> None:
    await world.create(at=NOW + timedelta(minutes=30))
    async with world.sm() as s:
        s.add(Chat(id=-4242, title="Новая группа"))
        await s.flush()
        s.add(ChatAudience(chat_id=-4242, audience="parents"))
        await s.commit()
    world.clock.advance(timedelta(minutes=30))
    await world.worker().run_once()
    assert world.received(-4242) == 1


async def test_an_event_notice_goes_out_beside_a_long_broadcast_not_after_it(
    world: World,
) -> None:
    world.server.latency = 0.02
    big = await world.create()  # 70 chats at 20/s: about 3.5 s
    async with world.sm() as s:
        s.add_all(User(id=uid, first_name="Педагог") for uid in (9001, 9002))
        await s.commit()
    worker = world.worker(rate=20.0)
    worker.start()
    await world.server.wait_for("sendMessage", timeout=5)
    async with world.sm() as s:
        notice = await create_notice(
            s, author_id=AUTHOR, text="🚫 Семинар отменён", user_ids=[9001, 9002], now=NOW
        )
        await s.commit()
    assert notice is not None
    worker.wake()
    for _ in range(300):
        if await state_of(world, notice.id) == BroadcastState.DONE:
            break
        await asyncio.sleep(0.02)
    big_state = await state_of(world, big)
    await worker.stop()
    assert await state_of(world, notice.id) == BroadcastState.DONE
    assert big_state == BroadcastState.SENDING  # the notice did not wait for it
    assert world.received(9001) == world.received(9002) == 1
