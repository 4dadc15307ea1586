"""The write-behind FAQ log: nothing lost, no row of a forgotten user, DB hiccups survived."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from bot.core.clock import FrozenClock
from bot.services.faq.querylog import HOLD_LIMIT, QueryLog
from storage.db import SessionMaker
from storage.models import FaqQuery, User
from storage.repositories import Repositories

ASKED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


async def _users(sessionmaker: SessionMaker, *ids: int) -> None:
    async with sessionmaker() as session:
        session.add_all(User(id=i, first_name=f"u{i}") for i in ids)
        await session.commit()


async def _logged(sessionmaker: SessionMaker) -> list[tuple[int, str, str | None, datetime]]:
    async with sessionmaker() as session:
        rows = (await session.scalars(select(FaqQuery).order_by(FaqQuery.id))).all()
    return [(r.user_id, r.text, r.entry_id, r.created_at) for r in rows]


async def test_rows_wait_until_flush_and_keep_the_time_they_were_asked(
    sessionmaker: SessionMaker,
) -> None:
    await _users(sessionmaker, 1)
    clock = FrozenClock(ASKED)
    log = QueryLog(sessionmaker, clock)
    log.add(1, "как активировать сертификат", "answer", "certificate.activate", 0.6)
    assert await _logged(sessionmaker) == []
    clock.advance(timedelta(minutes=5))

    assert await log.flush() == 1
    assert await _logged(sessionmaker) == [
        (1, "как активировать сертификат", "certificate.activate", ASKED)
    ]
    assert await log.flush() == 0  # written once


async def test_a_forgotten_user_is_never_written(sessionmaker: SessionMaker) -> None:
    await _users(sessionmaker, 1, 2)
    log = QueryLog(sessionmaker, FrozenClock(ASKED))
    log.add(1, "первый", "answer", "navigator.what", 0.5)
    log.add(2, "второй", "answer", "navigator.what", 0.5)
    log.add(2, "третий", "smalltalk", None, 0.0)
    log.discard(2)  # /forget_me on this instance
    log.add(1, "четвёртый", "answer", "navigator.what", 0.5)
    async with sessionmaker() as session:  # /forget_me on another instance, before our flush
        await Repositories(session).users.forget(1)
        await session.commit()

    assert await log.flush() == 0
    assert await _logged(sessionmaker) == []


async def test_rows_survive_a_failed_write(sessionmaker: SessionMaker) -> None:
    await _users(sessionmaker, 1)
    log = QueryLog(sessionmaker, FrozenClock(ASKED))
    log.add(1, "пароль забыла", "answer", "navigator.password", 0.7)
    async with sessionmaker() as session:
        await session.execute(text("ALTER TABLE faq_queries RENAME TO faq_queries_away"))
        await session.commit()
    assert await log.flush() == 0  # logged, kept

    log.add(1, "номер сертификата", "answer", "certificate.number_balance", 0.6)
    async with sessionmaker() as session:
        await session.execute(text("ALTER TABLE faq_queries_away RENAME TO faq_queries"))
        await session.commit()
    assert await log.flush() == 2
    assert [row[1] for row in await _logged(sessionmaker)] == [
        "пароль забыла",
        "номер сертификата",
    ]


async def test_a_full_batch_is_written_without_waiting_and_stop_writes_the_rest(
    sessionmaker: SessionMaker,
) -> None:
    await _users(sessionmaker, 1)
    log = QueryLog(sessionmaker, FrozenClock(ASKED), interval=3600, batch=3)
    log.start()
    for n in range(3):
        log.add(1, f"вопрос {n}", "answer", "moc.contacts", 0.5)
    for _ in range(100):  # the batch flush runs as a task; the timer is an hour away
        if len(await _logged(sessionmaker)) >= 3:
            break
        await asyncio.sleep(0.01)
    assert len(await _logged(sessionmaker)) == 3

    log.add(1, "вопрос 3", "answer", "moc.contacts", 0.5)
    await log.stop()
    assert [row[1] for row in await _logged(sessionmaker)] == [f"вопрос {n}" for n in range(4)]


async def _answers(sessionmaker: SessionMaker) -> list[tuple[str, int | None, int | None]]:
    async with sessionmaker() as session:
        rows = (await session.scalars(select(FaqQuery).order_by(FaqQuery.id))).all()
    return [(r.text, r.message_id, r.answer_id) for r in rows]


async def test_a_held_question_is_written_with_its_answer_once_the_answer_is_sent(
    sessionmaker: SessionMaker,
) -> None:
    """An answer held back by the limiter: the row waits for it (a flush meanwhile skips it)
    and keeps the time it was asked; a failed send lets it go without an answer."""
    await _users(sessionmaker, 1)
    clock = FrozenClock(ASKED)
    log = QueryLog(sessionmaker, clock)
    first = log.hold(1, "как активировать сертификат", "certificate.activate", 0.8, picture=7)
    failed = log.hold(1, "где МОЦ", "moc.contacts", 0.6)
    clock.advance(timedelta(seconds=30))
    assert await log.flush() == 0
    log.release(first, 42)
    log.release(failed, None)
    log.release(first, 43)  # a second release finds nothing
    assert await log.flush() == 2
    assert await _answers(sessionmaker) == [
        ("как активировать сертификат", 7, 42),
        ("где МОЦ", None, None),
    ]
    assert [row[3] for row in await _logged(sessionmaker)] == [ASKED, ASKED]


async def test_a_held_question_never_released_is_written_late_or_at_stop_and_forgotten(
    sessionmaker: SessionMaker,
) -> None:
    await _users(sessionmaker, 1, 2)
    clock = FrozenClock(ASKED)
    log = QueryLog(sessionmaker, clock)
    log.hold(1, "пароль забыла", "navigator.password", 0.7)
    log.hold(2, "забыл пароль", "navigator.password", 0.7)
    log.discard(2)  # /forget_me: the held row goes too
    clock.advance(HOLD_LIMIT - timedelta(seconds=1))
    assert await log.flush() == 0
    clock.advance(timedelta(seconds=2))
    assert await log.flush() == 1
    log.hold(1, "номер сертификата", "certificate.number_balance", 0.6)
    await log.stop()
    assert await _answers(sessionmaker) == [
        ("пароль забыла", None, None),
        ("номер сертификата", None, None),
    ]
