"""`python -m bot broadcast cancel|resume` as real processes against the fake MAX server: a
cancel rewrites a MAX author's progress message as it does a Telegram author's, and `resume`
sends a held broadcast's rest once (and says in Russian why it cannot, with exit code 1)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app.jobs import broadcast_channel
from bot.core.clock import SystemClock
from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from broadcasts.worker import BroadcastWorker
from handlers.max.client import MaxClient, SentMessage
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Chat, ChatAudience, Delivery, DeliveryStatus
from storage.repositories import Repositories
from tests.conftest import process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import max_settings

ROOT = Path(__file__).resolve().parent.parent
AUTHOR = MaxUser(53_000_000_077, "Анна", "Методист")
GROUPS = (-68_000_000_000_301, -68_000_000_000_302, -68_000_000_000_303)
NEWS = "Собрание завтра в 18:00"


@dataclass
class Ran:
    code: int
    out: str
    err: str


async def cli(db_path: Path, fake: FakeMaxServer, *args: str) -> Ran:
    """The command as its own process with MAX_BOT_TOKEN (no BOT_TOKEN), the loop running on:
    the fake MAX server answers it from this process."""
    env = process_env(
        f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT), MAX_BOT_TOKEN=fake.token,
        MAX_API_URL=fake.url, TIMEZONE="Europe/Moscow",
    )  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return Ran(proc.returncode or 0, out.decode(), err.decode())


@pytest.fixture
async def fake() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as server:
        server.dialog(AUTHOR)
        for group in GROUPS:
            server.add_group(group)
        yield server


async def seed(sm: SessionMaker) -> tuple[int, list[int]]:
    """The MAX groups bound to «parents»; the author's and the groups' internal ids."""
    async with sm() as session:
        repo = Repositories(session)
        author = await repo.channel_ids.internal("max", "user", AUTHOR.user_id)
        chats = [await repo.channel_ids.internal("max", "chat", g) for g in GROUPS]
        session.add_all(Chat(id=c, kind="chat", title=f"Родители {c}") for c in chats)
        await session.flush()
        session.add_all(ChatAudience(chat_id=c, audience="parents") for c in chats)
        await session.commit()
    return author, chats


async def progress_message(fake: FakeMaxServer, text: str) -> SentMessage:
    """What the author's MAX dialog shows when they schedule a broadcast."""
    async with MaxClient(fake.token, base_url=fake.url) as client:
        return await client.send_message(user_id=AUTHOR.user_id, text=text)


async def test_cli_cancel_rewrites_a_max_authors_progress_message(
    fake: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker
) -> None:
    author, _ = await seed(sessionmaker)
    shown = await progress_message(fake, "🕒 Рассылка запланирована на 02.12.2030 10:00")
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        created = await create_broadcast(
            session, author_id=author, content=Content("text", NEWS),
            target=Target(("parents",)), at=now + timedelta(days=1), now=now,
            progress=(author, shown.seq), progress_mid=shown.mid,
        )  # fmt: skip
        await session.commit()

    ran = await cli(db_path, fake, "broadcast", "cancel", str(created.id))

    assert ran.code == 0, ran.err
    assert f"Рассылка №{created.id} отменена" in ran.out
    (message,) = fake.sent_to(AUTHOR)  # the same message, rewritten; nothing new
    assert message.plain == (
        f"⛔ Рассылка №{created.id} отменена (из командной строки), ничего не отправлено."
    )
    assert all(fake.sent_to(g) == [] for g in GROUPS)


async def test_cli_cancel_sends_the_report_anew_when_the_message_cannot_be_edited(
    fake: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker
) -> None:
    """The author deleted the «запланирована» message (or a row from before the `mid` was
    kept): the cancel comes as one new message, whose place the broadcast keeps."""
    author, _ = await seed(sessionmaker)
    shown = await progress_message(fake, "🕒 Рассылка запланирована")
    fake.messages[shown.mid].deleted = True
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        created = await create_broadcast(
            session, author_id=author, content=Content("text", NEWS),
            target=Target(("parents",)), at=now + timedelta(days=1), now=now,
            progress=(author, shown.seq), progress_mid=shown.mid,
        )  # fmt: skip
        await session.commit()

    ran = await cli(db_path, fake, "broadcast", "cancel", str(created.id))

    assert ran.code == 0, ran.err
    (message,) = fake.sent_to(AUTHOR)
    assert message.plain.startswith(f"⛔ Рассылка №{created.id} отменена (из командной строки)")
    async with sessionmaker() as session:
        row = await session.get(Broadcast, created.id)
    assert row is not None and (row.progress_message_id, row.progress_mid) == (
        message.seq, message.mid,
    )  # fmt: skip


async def held(sm: SessionMaker, author: int, chats: list[int], state: str) -> int:
    """A broadcast to the three groups that reached the first before the bot stopped three
    days ago, then held for its author's «Досылать» (or in `state`)."""
    stopped = datetime.now(UTC) - timedelta(days=3)
    async with sm() as session:
        broadcast = Broadcast(
            author_id=author, content=Content("text", NEWS).to_json(), audiences="parents",
            state=state, scheduled_at=stopped, created_at=stopped, started_at=stopped,
            heartbeat_at=stopped,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        session.add_all(
            Delivery(broadcast_id=broadcast.id, chat_id=chat, is_private=False,
                     status=DeliveryStatus.SENT if n == 0 else DeliveryStatus.PENDING)
            for n, chat in enumerate(chats)
        )  # fmt: skip
        await session.commit()
        return broadcast.id


def news(fake: FakeMaxServer, group: int) -> int:
    return sum(1 for m in fake.sent_to(group) if m.plain == NEWS)


async def test_cli_resume_sends_a_held_broadcasts_rest_once(
    fake: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker
) -> None:
    author, chats = await seed(sessionmaker)
    bid = await held(sessionmaker, author, chats, BroadcastState.HELD)
    settings = max_settings(db_path, fake, AUTHOR)
    channel, client = broadcast_channel(settings, sessionmaker, None)
    worker = BroadcastWorker(
        sessionmaker, channel, SystemClock(), instance_id="max-e2e", poll_seconds=0.2
    )
    worker.start()
    try:
        await asyncio.sleep(1)
        assert [news(fake, g) for g in GROUPS] == [0, 0, 0]  # held: nothing goes on its own

        ran = await cli(db_path, fake, "broadcast", "resume", str(bid))

        assert ran.code == 0, ran.err
        assert (
            ran.out.strip()
            == f"Рассылка №{bid}: остальным досылается (её отправит запущенный бот)"
        )
        await fake.wait_sent(GROUPS[2], 1)
        for _ in range(50):
            async with sessionmaker() as session:
                state = await session.scalar(select(Broadcast.state).where(Broadcast.id == bid))
            if state == BroadcastState.DONE:
                break
            await asyncio.sleep(0.1)
        again = await cli(db_path, fake, "broadcast", "resume", str(bid))
    finally:
        await worker.stop(wait=5)
        if client is not None:
            await client.close()
    assert state == BroadcastState.DONE
    # the first group had it before the pause: only the other two get it, once each
    assert [news(fake, g) for g in GROUPS] == [0, 1, 1]
    report = fake.sent_to(AUTHOR)[-1].plain
    assert report.startswith(f"✅ Рассылка №{bid} завершена") and "Доставлено: 3 из 3" in report
    assert again.code == 1 and again.out == ""
    assert again.err.strip() == f"ошибка: рассылка №{bid} не ждёт решения: она уже отправлена"


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (BroadcastState.CANCELLED, "она отменена"),
        (BroadcastState.SCHEDULED, "она ещё не начиналась"),
        (BroadcastState.SENDING, "она уже отправляется"),
    ],
)
async def test_cli_resume_of_a_broadcast_not_held_says_why(
    fake: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker, state: str, said: str
) -> None:
    author, chats = await seed(sessionmaker)
    bid = await held(sessionmaker, author, chats, state)

    ran = await cli(db_path, fake, "broadcast", "resume", str(bid))

    assert ran.code == 1 and ran.out == ""
    assert ran.err.strip() == f"ошибка: рассылка №{bid} не ждёт решения: {said}"
    async with sessionmaker() as session:
        assert await session.scalar(select(Broadcast.state)) == state  # left as it was
    assert [news(fake, g) for g in GROUPS] == [0, 0, 0]


async def test_cli_resume_of_an_unknown_broadcast(
    fake: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker
) -> None:
    ran = await cli(db_path, fake, "broadcast", "resume", "999")
    assert ran.code == 1 and ran.out == ""
    assert ran.err.strip() == "ошибка: рассылка №999 не найдена"
    assert "Traceback" not in ran.err
