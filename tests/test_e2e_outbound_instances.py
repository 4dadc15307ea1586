"""`python -m bot worker` sends a broadcast while `run --no-jobs` answers parents: two
processes on one bot token, each with its own Bot and limiter (in this test process), against
the fake Bot API enforcing Telegram's limits (tests/test_e2e_outbound.py). Telegram counts 30
messages a second per bot, not per process: with REDIS_URL the two share OUTBOUND_RATE, and the
worker's broadcast yields to the parents answered by the other process; without Redis each
keeps its share (OUTBOUND_RATE=14, as README says). Either way no parent's answer meets a 429,
every parent is answered about as fast as with no broadcast going, every group gets the
broadcast once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app.factory import Services, create_bot, create_dispatcher
from bot.app.jobs import Jobs
from bot.core.clock import SystemClock
from bot.core.messages import Switchboard
from bot.services.faq import FaqService
from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from storage.db import SessionMaker
from storage.models import BroadcastState
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.test_e2e_outbound import (
    QUESTION,
    _state,
    answered_at,
    limited,
    p95,
    seed_groups,
)

__all__ = ["limited"]  # fixtures


@asynccontextmanager
async def worker_and_instance(
    server: FakeTelegramServer, db_path: Path, sm: SessionMaker, faq: FaqService, **extra: Any
) -> AsyncIterator[None]:
    """The worker (jobs, no updates) and one instance (updates, no jobs), as two processes."""
    settings = make_settings(db_path, broadcast_poll_seconds=0.2, **extra)
    api = TelegramAPIServer.from_base(server.url)
    worker_bot = create_bot(settings, session=AiohttpSession(api=api))
    jobs = Jobs(settings, sm, SystemClock(), Switchboard({}), bot=worker_bot)
    bot = create_bot(settings, session=AiohttpSession(api=api))
    dp = create_dispatcher(Services(settings, sm, faq), jobs=False)
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=True)
    )
    await jobs.start()
    try:
        yield
    finally:
        await jobs.stop()
        await worker_bot.session.close()
        await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await dp.storage.close()


async def parents_during_a_worker_broadcast(
    server: FakeTelegramServer, db_path: Path, sm: SessionMaker, faq: FaqService, **extra: Any
) -> None:
    groups = [-4_100_000 - i for i in range(200)]
    parents = [FakeUser(5_600_000 + i, f"Родитель {i}") for i in range(30)]
    earlier = [FakeUser(5_700_000 + i, f"Родитель до рассылки {i}") for i in range(30)]
    async with worker_and_instance(server, db_path, sm, faq, **extra):
        await seed_groups(sm, groups)
        asked = time.monotonic()  # the same questions with no broadcast going
        for parent in earlier:
            server.user_sends(QUESTION, user=parent)
        quiet = [t - asked for t in await asyncio.gather(*(
            answered_at(server, p.id, 15) for p in earlier
        ))]  # fmt: skip
        async with sm() as s:
            broadcast = await create_broadcast(
                s, author_id=None, content=Content(kind="text", text="Собрание в четверг"),
                target=Target(("parents",)), at=None, now=datetime.now(UTC),
            )  # fmt: skip
            await s.commit()
        deadline = time.monotonic() + 30
        while sum(len(server.sent_to(g)) for g in groups) < 30:  # in full swing
            assert time.monotonic() < deadline, "the worker's broadcast did not start"
            await asyncio.sleep(0.05)
        asked = time.monotonic()
        for parent in parents:
            server.user_sends(QUESTION, user=parent)
        times = await asyncio.gather(*(answered_at(server, p.id, 15) for p in parents))
        latencies = [t - asked for t in times]
        for parent in parents:
            assert "сертификат" in (server.sent_to(parent.id)[0].text or "").lower()
        # a second of slack for two processes on one SQLite file on a busy machine
        assert p95(latencies) <= p95(quiet) + 1.0, (sorted(latencies), sorted(quiet))
        deadline = time.monotonic() + 90
        while await _state(sm, broadcast.id) != BroadcastState.DONE:
            assert time.monotonic() < deadline, "the broadcast did not finish"
            await asyncio.sleep(0.2)
    assert all(len(server.sent_to(g)) == 1 for g in groups), "every group exactly once"
    flood = server.flood_stats()
    assert (flood["429_global"], flood["429_private"], flood["early_retry"]) == (0, 0, 0), flood


@pytest.mark.redis
async def test_a_worker_and_an_instance_share_telegrams_limit_through_redis(
    limited: FakeTelegramServer, db_path: Path, sessionmaker: SessionMaker,
    faq_service: FaqService, redis_url: str,
) -> None:  # fmt: skip
    """OUTBOUND_RATE 10, so thirty answers at once are paced by the shared budget, not bound
    by this machine's speed."""
    await parents_during_a_worker_broadcast(
        limited, db_path, sessionmaker, faq_service, redis_url=redis_url, outbound_rate=10
    )


async def test_a_worker_and_an_instance_without_redis_keep_their_shares(
    limited: FakeTelegramServer, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    await parents_during_a_worker_broadcast(
        limited, db_path, sessionmaker, faq_service, outbound_rate=14
    )
