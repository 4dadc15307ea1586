"""The processed_updates claim on both backends: one winner among racing instances, old rows
pruned, and the middleware skipping the handler for a repeat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram.types import TelegramObject, Update
from sqlalchemy import select

from bot.core.clock import FrozenClock
from handlers.tg.dedupe import UpdateDedupe
from storage.db import create_engine, create_sessionmaker
from storage.models import ProcessedUpdate
from storage.repositories.processed import KEEP
from tests.conftest import Backend

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def test_racing_instances_claim_an_update_once(backend: Backend) -> None:
    engines = [create_engine(backend.database_url) for _ in range(4)]  # four "instances"
    try:
        claims = [UpdateDedupe(create_sessionmaker(e), FrozenClock(NOW)) for e in engines]
        results = await asyncio.gather(*(c.claim(777) for c in claims for _ in range(5)))
        assert results.count(True) == 1
        assert await claims[0].claim(778) and not await claims[3].claim(778)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_old_rows_are_pruned_on_the_first_claim(backend: Backend) -> None:
    engine = create_engine(backend.database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            session.add(ProcessedUpdate(update_id=1, at=NOW - KEEP - timedelta(hours=1)))
            session.add(ProcessedUpdate(update_id=2, at=NOW - timedelta(hours=1)))
            await session.commit()
        assert await UpdateDedupe(sessionmaker, FrozenClock(NOW)).claim(3)
        async with sessionmaker() as session:
            kept = (await session.scalars(select(ProcessedUpdate.update_id))).all()
        assert sorted(kept) == [2, 3]
    finally:
        await engine.dispose()


async def test_the_middleware_skips_the_handler_for_a_repeat(backend: Backend) -> None:
    engine = create_engine(backend.database_url)
    middleware = UpdateDedupe(create_sessionmaker(engine), FrozenClock(NOW))
    handled: list[int] = []

    async def handler(event: TelegramObject, data: dict[str, Any]) -> str:
        assert isinstance(event, Update)
        handled.append(event.update_id)
        return "done"

    try:
        update = Update(update_id=42)
        assert await middleware(handler, update, {}) == "done"
        assert await middleware(handler, update, {}) is None
        assert handled == [42]
    finally:
        await engine.dispose()
