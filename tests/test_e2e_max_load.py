"""People first in MAX while a broadcast goes out, end to end: the real MAX runtime and the jobs
loop of one process (`python -m bot run` with MAX_BOT_TOKEN) against the fake MAX server over
HTTP, which enforces MAX's limits (30 requests a second per bot, two messages a second into a
chat; over them 429 `too.many.requests`, with no hint how long to wait — dev.max.ru, the
OpenAPI schema and maxapi's sources agree that MAX sends none).

A «429 storm»: MAX takes far fewer requests than MAX_RATE (a busy platform, another process on
the same token). The bot must slow down as a whole — not only the chat that met the 429 — so
that the parents who write meanwhile are answered within seconds, and the broadcast still
reaches every group exactly once, however long it takes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app.factory import Services
from bot.app.jobs import Jobs
from bot.services.faq import FaqService
from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from storage.db import SessionMaker
from storage.models import (
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    Event,
    Registration,
    RegistrationStatus,
)
from storage.repositories import Repositories
from storage.repositories.events import EventRepo
from tests.conftest import make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_both import new_runtime, seed_max_teacher

QUESTION = "как активировать сертификат"
TEXT = "Собрание родителей в четверг в 18:00"
GROUPS = [-73_000_000_000_000 - i for i in range(1, 121)]  # MAX's own chat ids
PARENTS = [MaxUser(50_000_009_000 + i, f"Родитель {i}") for i in range(10)]
CROWD = [MaxUser(50_000_009_100 + i, f"Родитель {i}") for i in range(30)]


@asynccontextmanager
async def max_process(
    fake: FakeMaxServer, db_path: Path, sm: SessionMaker, faq: FaqService, *,
    updates: bool = True, jobs: bool = True, **overrides: Any,
) -> AsyncIterator[Services]:  # fmt: skip
    """One MAX-only process with its own memory: `run` (updates and jobs), `run --no-jobs`
    (`jobs=False`) or `worker` (`updates=False`), stopped as they stop."""
    settings = make_settings(
        db_path, bot_token=None, max_bot_token=fake.token, max_api_url=fake.url,
        broadcast_poll_seconds=0.2, **overrides,
    )  # fmt: skip
    services = Services(settings, sm, faq)
    runtime = new_runtime(services) if updates else None
    if runtime is not None:
        await runtime.start()
    background = Jobs(settings, sm, services.clock, services.switchboard) if jobs else None
    if background is not None:
        await background.start()
    try:
        yield services
    finally:
        if background is not None:
            await background.stop()
        if runtime is not None:
            await runtime.stop()


async def seed_groups(sm: SessionMaker, groups: list[int]) -> None:
    """MAX parents' groups bound to «parents» (internal ids, as the bot registers them)."""
    async with sm() as session:
        repo = Repositories(session)
        ids = [await repo.channel_ids.internal("max", "chat", g) for g in groups]
        session.add_all(Chat(id=i, kind="chat", title=f"Родители {i}") for i in ids)
        await session.flush()
        session.add_all(ChatAudience(chat_id=i, audience="parents") for i in ids)
        await session.commit()


async def start_broadcast(sm: SessionMaker) -> int:
    async with sm() as session:
        broadcast = await create_broadcast(
            session, author_id=None, content=Content("text", TEXT), target=Target(("parents",)),
            at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await session.commit()
        return broadcast.id


async def state(sm: SessionMaker, broadcast_id: int) -> str | None:
    async with sm() as session:
        return await session.scalar(select(Broadcast.state).where(Broadcast.id == broadcast_id))


def delivered(fake: FakeMaxServer) -> Counter[int]:
    return Counter(m.chat_id for m in fake.sent if TEXT in m.text)


async def answered_at(fake: FakeMaxServer, user: MaxUser, within: float) -> float:
    await fake.wait_sent(user, 1, within=within)
    return time.monotonic()


async def test_parents_are_answered_promptly_through_a_max_429_storm_mid_broadcast(
    max_server: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """MAX takes 6 requests a second while MAX_RATE is 20. Before, only the chat that met the
    429 paused: the broadcast kept sending 20 a second, two of three requests were refused,
    and a parent's answer, retried after 1, 2, 4, 8 s, lost to the broadcast again and again
    (up to OUTBOUND_GIVE_UP_SECONDS); groups whose row met twelve 429s lost the broadcast."""
    fake = max_server
    for group in GROUPS:
        fake.add_group(group)
    await seed_groups(sessionmaker, GROUPS)
    fake.set_limits(per_chat=2, global_rps=6)
    async with max_process(fake, db_path, sessionmaker, faq_service, max_rate=20) as _:
        broadcast_id = await start_broadcast(sessionmaker)
        deadline = time.monotonic() + 30
        while sum(delivered(fake).values()) < 20:  # the broadcast in full swing
            assert time.monotonic() < deadline, "the broadcast did not start"
            await asyncio.sleep(0.05)
        asked = time.monotonic()
        for parent in PARENTS:
            fake.user_writes(parent, QUESTION)
        times = await asyncio.gather(*(answered_at(fake, p, 60) for p in PARENTS))
        latencies = sorted(t - asked for t in times)
        for parent in PARENTS:
            assert "сертификат" in fake.sent_to(parent)[0].plain.lower()
        # ten answers at MAX's 6 a second: about two seconds, not a 429 lottery
        assert latencies[-1] <= 6.0, latencies
        deadline = time.monotonic() + 90
        while await state(sessionmaker, broadcast_id) != BroadcastState.DONE:
            assert time.monotonic() < deadline, "the broadcast did not finish"
            await asyncio.sleep(0.2)
    got = delivered(fake)
    assert [g for g in GROUPS if got[g] != 1] == [], "every group exactly once"


def refused_people(fake: FakeMaxServer) -> int:
    """429s MAX gave to the bot's messages into dialogs (answers to parents)."""
    return len([
        c for c in fake.calls_to("POST", "/messages") if c.status == 429 and "user_id" in c.query
    ])  # fmt: skip


async def worker_and_webhook(
    fake: FakeMaxServer, db_path: Path, sm: SessionMaker, faq: FaqService, **extra: Any
) -> None:
    """`python -m bot worker` sends a broadcast to MAX groups while `run --no-jobs` answers 30
    parents who write at once; every parent is answered, MAX refuses none of the answers and
    the broadcast reaches every group once."""
    for group in GROUPS:
        fake.add_group(group)
    await seed_groups(sm, GROUPS)
    fake.set_limits(per_chat=2, global_rps=30)
    async with (
        max_process(fake, db_path, sm, faq, jobs=False, **extra),
        max_process(fake, db_path, sm, faq, updates=False, **extra),
    ):
        broadcast_id = await start_broadcast(sm)
        deadline = time.monotonic() + 30
        while sum(delivered(fake).values()) < 20:  # the worker's broadcast in full swing
            assert time.monotonic() < deadline, "the broadcast did not start"
            await asyncio.sleep(0.05)
        for parent in CROWD:
            fake.user_writes(parent, QUESTION)
        await asyncio.gather(*(answered_at(fake, p, 60) for p in CROWD))
        for parent in CROWD:
            assert "сертификат" in fake.sent_to(parent)[0].plain.lower()
        deadline = time.monotonic() + 90
        while await state(sm, broadcast_id) != BroadcastState.DONE:
            assert time.monotonic() < deadline, "the broadcast did not finish"
            await asyncio.sleep(0.2)
    assert refused_people(fake) == 0, "MAX refused answers to parents"
    got = delivered(fake)
    assert [g for g in GROUPS if got[g] != 1] == [], "every group exactly once"


@pytest.mark.redis
async def test_a_worker_and_a_webhook_instance_share_max_limit_through_redis(
    max_server: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker,
    faq_service: FaqService, redis_url: str,
) -> None:  # fmt: skip
    """MAX counts requests per bot (30 a second): with REDIS_URL the two processes share
    MAX_RATE (20) and the worker's broadcast yields to the parents answered by the other
    process. Before, a MAX pace was only ever the process's own: the worker's 20 and the
    answers' 20 a second added up, and MAX refused parents' answers with 429."""
    await worker_and_webhook(
        max_server, db_path, sessionmaker, faq_service, redis_url=redis_url, max_rate=20
    )


async def test_a_worker_and_a_webhook_instance_without_redis_keep_their_shares(
    max_server: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """Without Redis each process keeps its own pace: MAX_RATE set to its share (14 each, as
    README says for Telegram's OUTBOUND_RATE) keeps the two under MAX's limit together."""
    await worker_and_webhook(max_server, db_path, sessionmaker, faq_service, max_rate=14)


async def test_max_parents_are_answered_while_a_hundred_teachers_are_reminded(
    max_server: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """The one-hour reminder of a seminar goes to 100 MAX teachers while 10 parents write: the
    reminders go one by one, each taking a slot in turn, so a parent waits for at most a slot
    or two, not behind all of them; every teacher is reminded exactly once."""
    fake = max_server
    fake.set_limits(per_chat=2, global_rps=30)
    teachers = [MaxUser(50_000_009_500 + i, f"Педагог {i}") for i in range(100)]
    uids = [await seed_max_teacher(sessionmaker, t) for t in teachers]
    async with sessionmaker() as session:
        event = Event(
            title="Семинар по проектам", kind="seminar", capacity=len(uids),
            starts_at=datetime.now(UTC) + timedelta(minutes=50),
        )  # fmt: skip
        await EventRepo(session).add(event)
        session.add_all(
            Registration(event_id=event.id, user_id=u, status=RegistrationStatus.REGISTERED)
            for u in uids
        )
        await session.commit()
    reminded = lambda: [t for t in teachers if fake.sent_to(t)]  # noqa: E731
    async with max_process(
        fake, db_path, sessionmaker, faq_service, max_rate=10, reminder_every_seconds=1
    ):
        deadline = time.monotonic() + 30
        while len(reminded()) < 10:  # the reminders in full swing
            assert time.monotonic() < deadline, "the reminders did not start"
            await asyncio.sleep(0.05)
        asked = time.monotonic()
        for parent in PARENTS:
            fake.user_writes(parent, QUESTION)
        times = await asyncio.gather(*(answered_at(fake, p, 30) for p in PARENTS))
        latencies = sorted(t - asked for t in times)
        assert len(reminded()) < len(teachers), "the reminders were still going"
        # ten answers at MAX_RATE 10 beside the reminders: about two seconds, not ten
        assert latencies[-1] <= 4.0, latencies
        deadline = time.monotonic() + 60
        while len(reminded()) < len(teachers):
            assert time.monotonic() < deadline, "not every teacher was reminded"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # a second pass would send a repeat now
    assert all(len(fake.sent_to(t)) == 1 for t in teachers), "each reminded exactly once"
