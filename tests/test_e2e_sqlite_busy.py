"""A teacher who presses «Записаться» while another writer holds SQLite is still answered.

SQLite has one write lock. Here a second connection (a backup, an import, another process)
takes it with BEGIN IMMEDIATE at the moment Telegram acknowledges the press — after the bot
answered the callback, before it takes the seat — and keeps it for a while. The bot must
still record the seat and say so; if the lock outlasts every wait, the teacher must be told
in a message (the callback was already answered, so an alert can no longer be shown).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.services.faq import FaqService
from handlers.tg.callbacks import EventCb
from storage.db import SessionMaker
from storage.models import Registration, RegistrationStatus
from tests.conftest import TOKEN
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.test_e2e_outbound import open_cards, running, seed_teachers

TEACHER = FakeUser(5_300_001, "Педагог")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(TOKEN) as server:
        yield server


def lock_on_answer(server: FakeTelegramServer, db_path: Path, hold: float) -> list[float]:
    """When the bot answers the next callback, another connection takes SQLite's write lock
    and keeps it `hold` seconds. Returns a list that gets the moment the lock was released."""
    answer: Callable[[Any, Any], Any] = server._handlers["answercallbackquery"]
    released: list[float] = []

    async def hold_lock() -> None:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE events SET taken = taken")
        await asyncio.sleep(hold)
        other.execute("COMMIT")
        other.close()
        released.append(asyncio.get_running_loop().time())

    def answered(params: Any, files: Any) -> Awaitable[bool] | bool:
        server._handlers["answercallbackquery"] = answer
        holder = asyncio.get_running_loop().create_task(hold_lock())
        holders.add(holder)
        holder.add_done_callback(holders.discard)
        return answer(params, files)  # type: ignore[no-any-return]

    holders: set[asyncio.Task[None]] = set()
    server._handlers["answercallbackquery"] = answered
    return released


async def press_register(server: FakeTelegramServer, sm: SessionMaker) -> int:
    event_id = await seed_teachers(sm, [TEACHER], seats=5)
    cards = await open_cards(server, [TEACHER], event_id, within=10)
    server.press_data(cards[TEACHER.id], EventCb(action="reg", id=event_id).pack(), user=TEACHER)
    return event_id


async def seat_of(sm: SessionMaker, event_id: int) -> str | None:
    async with sm() as s:
        return await s.scalar(
            select(Registration.status).where(
                Registration.event_id == event_id, Registration.user_id == TEACHER.id
            )
        )


async def test_a_moment_of_another_writer_only_delays_the_seat(
    fake: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    """Within the busy timeout the seat's write waits for the lock: nothing fails. (A
    transaction begun by a read and upgraded to a write would fail at once instead.)"""
    async with running(fake, db_path, faq_service, busy_timeout=10) as sm:
        released = lock_on_answer(fake, db_path, hold=1.0)
        event_id = await press_register(fake, sm)
        told = await fake.next_message(TEACHER.id, timeout=10)
        assert "Вы записаны" in (told.text or ""), told.text
        assert released and asyncio.get_running_loop().time() >= released[0]
        assert await seat_of(sm, event_id) == RegistrationStatus.REGISTERED


async def test_a_lock_longer_than_the_busy_timeout_still_gives_the_seat(
    fake: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    # one wait (0.5 s) is shorter than the lock, three (1.5 s) are comfortably longer
    async with running(fake, db_path, faq_service, busy_timeout=0.5) as sm:
        lock_on_answer(fake, db_path, hold=0.9)
        event_id = await press_register(fake, sm)
        told = await fake.next_message(TEACHER.id, timeout=10)
        assert "Вы записаны" in (told.text or ""), told.text
        assert await seat_of(sm, event_id) == RegistrationStatus.REGISTERED


async def test_a_lock_that_outlasts_every_wait_is_apologised_for_in_a_message(
    fake: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    async with running(fake, db_path, faq_service, busy_timeout=0.1) as sm:
        lock_on_answer(fake, db_path, hold=3.0)
        event_id = await press_register(fake, sm)
        told = await fake.next_message(TEACHER.id, timeout=10)
        assert told.text == texts.ERROR
        await asyncio.sleep(3.0)  # the lock is gone; the teacher may press again
        assert await seat_of(sm, event_id) is None
