"""Kill -9 in the middle of a broadcast to 300 MAX chats, with the production worker of a MAX-only
bot (`python -m bot worker`, MAX_BOT_TOKEN without BOT_TOKEN): a restart with the same
BROADCAST_INSTANCE_ID takes its claim back at once and finishes the ledger.

The fake MAX server answers each send 50–150 ms after accepting it, so sends are in flight
when SIGKILL lands: MAX got those messages, the ledger still says `sending`. MAX has no
idempotency key, so such a row goes again after the restart; that is the only repeat allowed
(at most BROADCAST_CONCURRENCY). Every other chat gets the message exactly once, and none is
lost (the fake counts deliveries per chat)."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Chat, ChatAudience, Delivery, DeliveryStatus
from storage.repositories import Repositories
from tests.conftest import process_env
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.wait import until

ROOT = Path(__file__).resolve().parent.parent
GROUPS = [-72_000_000_000_000 - i for i in range(1, 301)]  # MAX's own chat ids
CONCURRENCY = 8
KILL_AFTER = 120  # of 300: about 40 %
TEXT = "Внимание: завтра занятия по расписанию"


async def seed(sm: SessionMaker) -> dict[int, int]:
    """300 bound MAX groups and a broadcast to them; internal id → MAX chat id."""
    async with sm() as session:
        repo = Repositories(session)
        ids = {await repo.channel_ids.internal("max", "chat", g): g for g in GROUPS}
        session.add_all(Chat(id=i, kind="chat", title=f"Родители {g}") for i, g in ids.items())
        await session.flush()
        session.add_all(ChatAudience(chat_id=i, audience="parents") for i in ids)
        await create_broadcast(
            session, author_id=None, content=Content("text", TEXT), target=Target(("parents",)),
            at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await session.commit()
    return ids


async def spawn(db_path: Path, fake: FakeMaxServer, log: Path) -> asyncio.subprocess.Process:
    env = process_env(
        f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT), MAX_BOT_TOKEN=fake.token,
        MAX_API_URL=fake.url, WEB_HOST="127.0.0.1", WEB_PORT="0", LOG_LEVEL="INFO",
        BROADCAST_INSTANCE_ID="worker-1", BROADCAST_POLL_SECONDS="0.5", MAX_RATE="30",
        BROADCAST_CONCURRENCY=str(CONCURRENCY),
    )  # fmt: skip
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=out,
        )  # fmt: skip


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


def delivered(fake: FakeMaxServer) -> Counter[int]:
    return Counter(m.chat_id for m in fake.sent if TEXT in m.text)


async def test_sigkill_mid_broadcast_to_max_then_restart(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker
) -> None:
    ids = await seed(sessionmaker)
    log = tmp_path / "worker.log"
    async with FakeMaxServer() as fake:
        for group in GROUPS:
            fake.add_group(group)
        fake.send_latency = (0.05, 0.15)
        t0 = time.monotonic()
        first = await spawn(db_path, fake, log)
        try:
            await until(
                lambda: sum(delivered(fake).values()) >= KILL_AFTER, 60, lambda: tail(log), 0.01
            )
        finally:
            first.send_signal(signal.SIGKILL)  # no shutdown handler, no outcome written
            await first.wait()
        at_kill = sum(delivered(fake).values())
        async with sessionmaker() as s:
            rows = await s.scalars(
                select(Delivery.chat_id).where(Delivery.status == DeliveryStatus.SENDING)
            )
            in_flight = {ids[chat_id] for chat_id in rows}
        assert KILL_AFTER <= at_kill < len(GROUPS)

        second = await spawn(db_path, fake, log)
        try:

            async def state() -> str | None:
                async with sessionmaker() as s:
                    return await s.scalar(select(Broadcast.state))

            deadline = time.monotonic() + 60
            while await state() != BroadcastState.DONE:
                assert time.monotonic() < deadline, tail(log)
                await asyncio.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(second.wait(), 40)
        got = delivered(fake)
        elapsed = time.monotonic() - t0

    lost = [g for g in GROUPS if got[g] == 0]
    repeated = {g for g, n in got.items() if n > 1}
    print(
        f"\nMAX crash: killed after {at_kill} sends, {len(in_flight)} rows `sending`, "
        f"{len(repeated)} repeated, {elapsed:.1f}s"
    )
    assert code == 0, tail(log)
    assert lost == []
    assert repeated <= in_flight and len(repeated) <= CONCURRENCY  # only what was in flight
    assert all(got[g] == 1 for g in GROUPS if g not in in_flight)
    async with sessionmaker() as s:
        sent = await s.scalar(
            select(func.count(Delivery.id)).where(Delivery.status == DeliveryStatus.SENT)
        )
        broadcast = await s.scalar(select(Broadcast))
    assert sent == len(GROUPS)
    assert broadcast is not None and broadcast.claimed_by == "worker-1"
