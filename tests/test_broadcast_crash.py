"""Kill -9 in the middle of a broadcast: a new process finishes it, nobody is skipped.

The worker runs in a separate process (tests/helpers/broadcast_crash_worker.py) against the
fake Bot API served here, with latency so sends are in flight when SIGKILL lands. A second
process, another instance id, takes the broadcast over once the dead one's lease runs out.
Allowed: the sends in flight at the kill may repeat (at most `concurrency`); not allowed: a
chat that never gets the message.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
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
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.wait import until

WORKER = Path(__file__).resolve().parent / "helpers" / "broadcast_crash_worker.py"
GROUPS = [-2000 - i for i in range(1, 251)]
PRIVATE = [7000 + i for i in range(1, 51)]
CHATS = GROUPS + PRIVATE
CONCURRENCY = 8
KILL_AFTER = 120  # of 300: about 40 %


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[tuple[str, SessionMaker]]:
    url = db_url
    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    async with sm() as s:
        s.add_all(Chat(id=chat_id, title=f"Группа {chat_id}") for chat_id in GROUPS)
        s.add_all(User(id=uid, first_name=f"Родитель {uid}") for uid in PRIVATE)
        await s.flush()
        s.add_all(ChatAudience(chat_id=chat_id, audience="parents") for chat_id in GROUPS)
        s.add_all(Subscription(user_id=uid, audience="parents") for uid in PRIVATE)
        content = Content(kind="text", text="Внимание: завтра занятия по расписанию", ack=True)
        now = datetime.now(UTC)
        await create_broadcast(
            s, author_id=None, content=content, target=Target(("parents",)), at=None, now=now
        )
        await s.commit()
    yield url, sm
    await engine.dispose()


async def spawn(db_url: str, api: str, instance: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), "--db", db_url, "--api", api, "--instance", instance,
        "--concurrency", str(CONCURRENCY), *extra,
    )  # fmt: skip


def delivered(server: FakeTelegramServer) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"]) for c in server.calls if c.method == "sendmessage" and c.ok
    )


async def test_sigkill_mid_broadcast_then_resume(db: tuple[str, SessionMaker]) -> None:
    db_url, sm = db
    async with FakeTelegramServer(latency=(0.05, 0.15)) as server:
        t0 = time.monotonic()
        first = await spawn(db_url, server.url, "first")
        try:
            await until(lambda: sum(delivered(server).values()) >= KILL_AFTER, 60, step=0.01)
        finally:
            first.kill()  # SIGKILL: no shutdown handler, no outcome written for in-flight sends
            await first.wait()
        at_kill = sum(delivered(server).values())
        async with sm() as s:
            stranded = await s.scalar(
                select(func.count(Delivery.id)).where(Delivery.status == DeliveryStatus.SENDING)
            )
        assert KILL_AFTER <= at_kill < len(CHATS)

        second = await spawn(db_url, server.url, "second", "--until-done")
        assert await asyncio.wait_for(second.wait(), 90) == 0
        got = delivered(server)
        print(f"\nfirst sends at {min(c.at for c in server.calls) - t0:.1f}s")

    lost = [chat_id for chat_id in CHATS if got[chat_id] == 0]
    duplicates = sum(n - 1 for n in got.values() if n > 1)
    print(f"\nkilled after {at_kill} sends, {stranded} rows were `sending`; dup={duplicates}")
    assert lost == []
    assert duplicates <= CONCURRENCY
    async with sm() as s:
        broadcast = await s.scalar(select(Broadcast))
        sent = await s.scalar(
            select(func.count(Delivery.id)).where(Delivery.status == DeliveryStatus.SENT)
        )
    assert broadcast is not None and broadcast.state == BroadcastState.DONE
    assert broadcast.claimed_by == "second"
    assert sent == len(CHATS)
