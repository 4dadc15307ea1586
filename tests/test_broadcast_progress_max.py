"""A MAX author's progress message through the real worker, ledger and MAX channel against the
fake MAX server: one message from «⏳ начнётся…» to the final report, whatever happens to it —
a worker process of its own killed and restarted mid-broadcast, the message deleted or too old
for MAX to edit (sent anew once, never in a loop), the author having blocked the bot, 429s on
the edit (they do not hold up a cancel)."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app.jobs import broadcast_channel
from bot.core.clock import SystemClock
from broadcasts.content import Content
from broadcasts.limiter import RateLimiter
from broadcasts.progress import show
from broadcasts.runtime import Options, Runtime
from broadcasts.service import Target, cancel_broadcast, create_broadcast
from broadcasts.worker import BroadcastWorker
from handlers.max.client import MaxClient, SentMessage
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Chat, ChatAudience
from storage.repositories import Repositories
from tests.conftest import process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.max_routes import EDIT_WINDOW_MS
from tests.helpers.max_bot import max_settings
from tests.helpers.wait import until

ROOT = Path(__file__).resolve().parent.parent
AUTHOR = MaxUser(53_000_000_088, "Анна", "Методист")
OPENING = "⏳ Рассылка начнётся через несколько секунд."
NEWS = "Внимание: завтра занятия по расписанию"


@dataclass
class World:
    fake: FakeMaxServer
    sm: SessionMaker
    db_path: Path
    groups: list[int]

    async def broadcast(self, shown: SentMessage | None = None) -> int:
        """The author's broadcast to every group, its progress message `shown` (their dialog's
        «⏳ начнётся…», sent now unless given)."""
        shown = shown or await self.opening()
        async with self.sm() as session:
            author = await Repositories(session).channel_ids.internal(
                "max", "user", AUTHOR.user_id
            )
            created = await create_broadcast(
                session, author_id=author, content=Content("text", NEWS),
                target=Target(("parents",)), at=None, now=datetime.now(UTC),
                progress=(author, shown.seq), progress_mid=shown.mid,
            )  # fmt: skip
            await session.commit()
        return created.id

    async def opening(self) -> SentMessage:
        async with MaxClient(self.fake.token, base_url=self.fake.url) as client:
            return await client.send_message(user_id=AUTHOR.user_id, text=OPENING)

    def to_author(self) -> list[Message]:
        """Every message the bot sent the author, deleted ones too."""
        dialog = self.fake.dialog(AUTHOR).chat_id
        return [m for m in self.fake.sent if m.chat_id == dialog]

    def delivered(self) -> int:
        return sum(1 for m in self.fake.sent if m.plain == NEWS)

    async def state(self, bid: int) -> str | None:
        async with self.sm() as session:
            return await session.scalar(select(Broadcast.state).where(Broadcast.id == bid))

    async def row(self, bid: int) -> Broadcast:
        async with self.sm() as session:
            found = await session.get(Broadcast, bid)
        assert found is not None
        return found

    async def run(self, rate: float = 20.0, progress_every: float = 0.2) -> None:
        """The production MAX channel under a worker whose pace makes a few progress edits."""
        settings = max_settings(self.db_path, self.fake, AUTHOR, max_rate=30.0)
        channel, client = broadcast_channel(settings, self.sm, None)
        options = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=progress_every)
        limiter = RateLimiter(rate, per_chat_interval=0.05, group_per_minute=1200)
        worker = BroadcastWorker(
            self.sm, channel, SystemClock(), instance_id="max", options=options, limiter=limiter
        )
        try:
            await worker.run_once()
        finally:
            if client is not None:
                await client.close()


async def make_world(fake: FakeMaxServer, sm: SessionMaker, db_path: Path, n: int) -> World:
    groups = [-72_000_000_100_000 - i for i in range(n)]
    fake.dialog(AUTHOR)
    async with sm() as session:
        repo = Repositories(session)
        for group in groups:
            fake.add_group(group)
            chat = await repo.channel_ids.internal("max", "chat", group)
            session.add(Chat(id=chat, kind="chat", title=f"Родители {group}"))
            await session.flush()
            session.add(ChatAudience(chat_id=chat, audience="parents"))
        await session.commit()
    return World(fake, sm, db_path, groups)


@pytest.fixture
async def world(db_path: Path, sessionmaker: SessionMaker) -> AsyncIterator[World]:
    async with FakeMaxServer() as fake:
        yield await make_world(fake, sessionmaker, db_path, 12)


# ----------------------------------------------------------------- a restart mid-broadcast


async def spawn(db_path: Path, fake: FakeMaxServer, log: Path) -> asyncio.subprocess.Process:
    """`python -m bot worker` of a MAX-only МОЦ: not the process that sent the message."""
    env = process_env(
        f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT), MAX_BOT_TOKEN=fake.token,
        MAX_API_URL=fake.url, WEB_HOST="127.0.0.1", WEB_PORT="0", LOG_LEVEL="INFO",
        BROADCAST_INSTANCE_ID="worker-1", BROADCAST_POLL_SECONDS="0.5", MAX_RATE="12",
    )  # fmt: skip
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=out,
        )  # fmt: skip


async def test_a_worker_restarted_mid_broadcast_edits_the_one_progress_message(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker
) -> None:
    """The worker is a process of its own (it never saw the message sent) and is killed with
    the broadcast half-sent; the one after it edits the same message to the final report.
    Before the `mid` was kept, each process sent the progress anew: the author had three
    messages about one broadcast, two of them stuck at «Отправлено N из M…»."""
    log = tmp_path / "worker.log"
    async with FakeMaxServer() as fake:
        w = await make_world(fake, sessionmaker, db_path, 90)
        bid = await w.broadcast()
        (progress,) = w.to_author()

        first = await spawn(db_path, fake, log)
        try:  # the first process's progress edit went in, and it is far from done
            await until(lambda: progress.edits >= 1, 60, lambda: log.read_text()[-3000:], 0.05)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        at_kill = w.delivered()
        assert "Отправлено" in progress.plain and at_kill < len(w.groups)

        second = await spawn(db_path, fake, log)
        try:
            deadline = time.monotonic() + 60
            while await w.state(bid) != BroadcastState.DONE:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                await asyncio.sleep(0.2)
            await until(lambda: "завершена" in progress.plain, 10, "the report", 0.05)
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 40)

    assert w.to_author() == [progress]  # one message, never a second one
    assert progress.plain.startswith(f"✅ Рассылка №{bid} завершена.")
    assert f"Доставлено: {len(w.groups)} из {len(w.groups)}" in progress.plain
    assert progress.edits >= 2  # by the first process and by the second


# ----------------------------------------------------------------- a message MAX will not edit


@pytest.mark.parametrize(
    "lost",
    ["deleted", "too old (400)", "too old (403 access.denied)"],
)
async def test_a_progress_message_max_will_not_edit_is_sent_anew_once(
    world: World, lost: str
) -> None:
    """The author deleted «⏳ начнётся…», or it is over MAX's 7 days (a weekly series'
    message): one new message carries the progress and the final report, and the broadcast
    keeps it, so the next edit (of the next week, of another process) goes there too."""
    shown = await world.opening()
    old = world.fake.messages[shown.mid]
    if lost == "deleted":
        old.deleted = True
    else:
        old.timestamp -= EDIT_WINDOW_MS + 60_000
        if "403" in lost:
            world.fake.too_old_error = (403, "access.denied", "Message is too old to edit")
    bid = await world.broadcast(shown)

    await world.run()

    new = [m for m in world.to_author() if m is not old]
    assert len(new) == 1, [m.plain for m in new]
    assert new[0].plain.startswith(f"✅ Рассылка №{bid} завершена.")
    assert f"Доставлено: {len(world.groups)} из {len(world.groups)}" in new[0].plain
    assert old.plain == OPENING
    row = await world.row(bid)
    assert (row.progress_message_id, row.progress_mid) == (new[0].seq, new[0].mid)


async def test_a_missed_time_whose_message_is_gone_comes_as_one_new_message(
    world: World,
) -> None:
    """The bot was down at the broadcast's time and «🕒 запланирована на …» was deleted: the
    notice goes as one new message (which makes a sound), not that and the same text again."""
    shown = await world.opening()
    world.fake.messages[shown.mid].deleted = True
    at = datetime.now(UTC) - timedelta(hours=3)
    async with world.sm() as session:
        author = await Repositories(session).channel_ids.internal("max", "user", AUTHOR.user_id)
        created = await create_broadcast(
            session, author_id=author, content=Content("text", NEWS),
            target=Target(("parents",)), at=at, now=at - timedelta(minutes=1),
            progress=(author, shown.seq), progress_mid=shown.mid,
        )  # fmt: skip
        await session.commit()

    await world.run()

    assert await world.state(created.id) == BroadcastState.MISSED
    _deleted, *new = world.to_author()
    assert len(new) == 1, [m.plain for m in new]
    assert new[0].plain.startswith(f"⚠️ Рассылка №{created.id} не отправлена: бот был выключен")
    assert world.delivered() == 0


async def test_a_new_progress_message_refused_in_turn_is_not_sent_again(world: World) -> None:
    """Not a loop: the message sent anew is deleted too (each time it appears); the progress
    edits that follow do not send a third one, and a fourth, every few seconds."""
    shown = await world.opening()
    world.fake.messages[shown.mid].deleted = True
    bid = await world.broadcast(shown)

    async def delete_the_new_ones() -> None:
        while True:
            for message in world.to_author():
                message.deleted = True
            await asyncio.sleep(0.01)

    deleter = asyncio.create_task(delete_the_new_ones())
    try:
        await world.run(rate=6.0, progress_every=0.2)  # two seconds: about ten progress edits
    finally:
        deleter.cancel()
    assert await world.state(bid) == BroadcastState.DONE
    assert len(world.to_author()) == 2  # the first one and the one sent anew
    assert world.delivered() == len(world.groups)


# ----------------------------------------------------------------- the author blocked the bot


async def test_an_author_who_blocked_the_bot_is_not_written_to_every_few_seconds(
    world: World,
) -> None:
    """403 chat.denied on the first progress edit: the broadcast goes on to every group, and
    the author's dialog is not tried again on each progress pass (nor sent anew)."""
    shown = await world.opening()
    world.fake.block(AUTHOR)
    bid = await world.broadcast(shown)

    await world.run(rate=6.0, progress_every=0.2)

    assert await world.state(bid) == BroadcastState.DONE
    assert world.delivered() == len(world.groups)
    edits = [c for c in world.fake.calls_to("PUT", "/messages") if c.status == 403]
    author_dialog = str(world.fake.dialog(AUTHOR).chat_id)
    sends = [
        c for c in world.fake.calls_to("POST", "/messages")
        if c.query.get("user_id") == str(AUTHOR.user_id) or c.query.get("chat_id") == author_dialog
    ]  # fmt: skip
    assert len(edits) == 1 and len(sends) == 1  # one edit tried; no send but the opening


# ----------------------------------------------------------------- 429 on the edit


async def test_429s_on_the_progress_edit_do_not_hold_up_a_cancel(world: World) -> None:
    """MAX's 429 has no hint: an edit waits 1, 2, 4, 8, 16 s for it. It used to wait inside
    the watcher that notices a cancel, and the broadcast went on to the groups for half a
    minute after «Отменить»."""
    w = world
    w.fake.fail_next(429, "too.many.requests", "slow down", times=100, matching="Отправлено")
    bid = await w.broadcast()
    running = asyncio.create_task(w.run(rate=2.0, progress_every=0.2))  # six seconds of sends
    try:
        await until(
            lambda: any(c.status == 429 for c in w.fake.calls_to("PUT", "/messages")),
            10, "a 429 on the progress edit", 0.02,
        )  # fmt: skip
        async with w.sm() as session:
            assert await cancel_broadcast(session, bid)
            await session.commit()
        at_cancel = w.delivered()
        await asyncio.wait_for(asyncio.shield(running), 20)
    finally:
        running.cancel()
    assert w.delivered() - at_cancel <= 2  # the sends already under way at most
    assert w.delivered() < len(w.groups)
    (progress,) = w.to_author()
    assert progress.plain.startswith(f"⛔ Рассылка №{bid} отменена")


async def test_a_message_sent_anew_is_not_sent_anew_again_by_another_process(
    world: World,
) -> None:
    """The progress went anew and the author deleted that one too: the next process to edit
    it (a `worker` of its own, the bot after a restart) does not send the report a third time."""
    shown = await world.opening()
    world.fake.messages[shown.mid].deleted = True
    bid = await world.broadcast(shown)

    async def show_from_a_new_process(text: str) -> str:
        settings = max_settings(world.db_path, world.fake, AUTHOR, max_rate=30.0)
        channel, client = broadcast_channel(settings, world.sm, None)
        rt = Runtime(world.sm, channel, RateLimiter(100.0), SystemClock(), "p")
        try:
            return await show(rt, await world.row(bid), text)
        finally:
            if client is not None:
                await client.close()

    assert await show_from_a_new_process("Отправлено 1 из 12") == "anew"
    for message in world.to_author():
        message.deleted = True
    assert await show_from_a_new_process(f"✅ Рассылка №{bid} завершена.") == "edited"
    assert [m.plain for m in world.to_author()] == [OPENING, "Отправлено 1 из 12"]
