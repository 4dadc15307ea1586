"""The same restart in a MAX-only МОЦ, over the fake MAX server: the author of a broadcast to
MAX groups, interrupted three days ago, is asked in their MAX dialog with «Досылать» /
«Не досылать» buttons and the press decides; a cancel made while the bot was down is reported
there too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.jobs import broadcast_channel
from bot.core.clock import SystemClock
from bot.services.faq import FaqService
from bot.texts import broadcasts as bt
from broadcasts.content import Content
from broadcasts.worker import BroadcastWorker
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Delivery, DeliveryStatus
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import max_only_bot

ADMIN = MaxUser(53_000_000_001, "Анна", "Методист")
GROUPS = (-68_000_000_000_201, -68_000_000_000_202, -68_000_000_000_203)
NEWS = "Собрание завтра в 18:00"


@dataclass
class World:
    fake: FakeMaxServer
    sm: SessionMaker

    async def interrupted(self, paused: timedelta, state: str = BroadcastState.SENDING) -> int:
        """ADMIN's broadcast to the three groups, the first reached before the bot stopped
        `paused` ago; CANCELLED: cancelled in the panel meanwhile."""
        stopped = datetime.now(UTC) - paused
        async with self.sm() as session:
            repo = Repositories(session)
            author = await repo.channel_ids.internal("max", "user", ADMIN.user_id)
            chats = [await repo.channel_ids.internal("max", "chat", g) for g in GROUPS]
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

    def news(self) -> int:
        return sum(1 for g in GROUPS[1:] for m in self.fake.sent_to(g) if m.plain == NEWS)


@pytest.fixture
async def world(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[World]:
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN) as (fake, services):
        fake.dialog(ADMIN)
        for group in GROUPS:
            fake.add_group(group)
        channel, client = broadcast_channel(services.settings, sessionmaker, None)
        worker = BroadcastWorker(
            sessionmaker, channel, SystemClock(), instance_id="max-e2e", poll_seconds=0.2
        )
        worker.start()
        try:
            yield World(fake, sessionmaker)
        finally:
            await worker.stop(wait=5)
            if client is not None:
                await client.close()


async def test_max_author_is_asked_and_send_the_rest_sends_it(world: World) -> None:
    bid = await world.interrupted(timedelta(days=3))
    (asked,) = await world.fake.wait_sent(ADMIN, 1)
    assert asked.plain.startswith(f"⏸ Рассылка №{bid} прервалась")
    assert "Доставлено 1 из 3" in asked.plain
    await asyncio.sleep(1)
    assert world.news() == 0

    world.fake.press(ADMIN, asked, bt.BTN_RESUME)
    *_, report = await world.fake.wait_sent(ADMIN, 2)
    assert report.plain.startswith(f"✅ Рассылка №{bid} завершена")
    assert "Доставлено: 3 из 3" in report.plain
    assert world.news() == 2


async def test_max_author_says_do_not_send_and_gets_the_cancel_report(world: World) -> None:
    bid = await world.interrupted(timedelta(days=3))
    (asked,) = await world.fake.wait_sent(ADMIN, 1)
    world.fake.press(ADMIN, asked, bt.BTN_DROP)
    *_, report = await world.fake.wait_sent(ADMIN, 2)
    assert report.plain.startswith(f"⛔ Рассылка №{bid} отменена")
    assert "Доставлено: 1 из 3" in report.plain and "Не отправлено: 2" in report.plain
    assert world.news() == 0


async def test_a_cancel_made_while_the_max_bot_was_down_is_reported(world: World) -> None:
    bid = await world.interrupted(timedelta(hours=1), BroadcastState.CANCELLED)
    (report,) = await world.fake.wait_sent(ADMIN, 1)
    assert report.plain.startswith(f"⛔ Рассылка №{bid} отменена")
    assert "Доставлено: 1 из 3" in report.plain
    assert world.news() == 0
