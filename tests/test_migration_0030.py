"""Migration 0030 on a database already in use, on SQLite and PostgreSQL, and the queries
that use what it adds.

Data minimisation (152-ФЗ): display names stored before the bot stopped storing them stayed
in `users` for parents and teachers who never asked a specialist, are not staff and do not
get the news in private, until they used /forget_me. 0030 clears them and keeps the names
staff need (UserRepo.touch's rule). It also makes `registrations.user_id` nullable: SQLite
rebuilds the table for that, and with foreign keys on, the rebuild's DROP used to take the
presence marks and the reminders sent with it (ON DELETE CASCADE): /report lost its visits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from storage.db import create_engine, create_sessionmaker
from storage.migrate import alembic_config
from storage.models import Event, EventStatus, Registration
from storage.repositories import Repositories
from tests import pg
from tests.conftest import Backend

PARENT, TEACHER, STAFF, ASKER, SUBSCRIBER, SILENT = 11, 12, 13, 14, 15, 16
WHEN = "'2026-12-08 12:00:00+00:00'"
SEED = [
    *(
        "INSERT INTO users (id, first_name, last_name, username, is_active, created_at, "
        f"last_seen_at) VALUES ({uid}, '{first}', {last}, {nick}, TRUE, {WHEN}, {WHEN})"
        for uid, first, last, nick in (
            (PARENT, "Мария", "'Петрова'", "'masha_p'"),
            (TEACHER, "Пётр", "'Сидоров'", "NULL"),
            (STAFF, "Анна", "'Методист'", "'anna_moc'"),
            (ASKER, "Ольга", "'Кузнецова'", "NULL"),
            (SUBSCRIBER, "Инна", "'Орлова'", "'inna'"),
            (SILENT, "", "NULL", "NULL"),
        )
    ),
    f"INSERT INTO staff_members (person_id, role, added_at) VALUES ({STAFF}, 'staff', {WHEN})",
    "INSERT INTO tickets (id, user_id, chat_id, status, question, created_at, updated_at) "
    f"VALUES (1, {ASKER}, {ASKER}, 'answered', 'Где сертификат?', {WHEN}, {WHEN})",
    f"INSERT INTO subscriptions (user_id, audience, created_at) VALUES ({SUBSCRIBER}, "
    f"'teachers', {WHEN})",
    "INSERT INTO events (id, title, kind, starts_at, duration_min, format, place, capacity, "
    "taken, description, organiser, speaker, audience, status, created_at, updated_at) "
    f"VALUES (1, 'Семинар', 'seminar', {WHEN}, 90, 'offline', '', 30, 1, '', '', '', '', "
    f"'published', {WHEN}, {WHEN})",
    "INSERT INTO event_sessions (id, event_id, starts_at, duration_min) "
    f"VALUES (1, 1, {WHEN}, 90)",
    "INSERT INTO registrations (id, event_id, user_id, status, queued_at, created_at, "
    f"updated_at, cancelled_late) VALUES (1, 1, {TEACHER}, 'attended', {WHEN}, {WHEN}, {WHEN}, "
    "FALSE)",
    f"INSERT INTO session_marks (registration_id, session_id, marked_at) VALUES (1, 1, {WHEN})",
    "INSERT INTO reminders_sent (id, registration_id, session_id, lead_min, sent_at) "
    f"VALUES (1, 1, 1, 1440, {WHEN})",
]


def run(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """Each statement in one transaction, on the bot's own engine (SQLite: foreign keys on)."""

    async def go() -> list[list[tuple[object, ...]]]:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                results = [await conn.execute(text(sql)) for sql in statements]
                return [list(map(tuple, r.all())) if r.returns_rows else [] for r in results]
        finally:
            await engine.dispose()

    return asyncio.run(go())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    server = request.getfixturevalue("pg_url")
    name = pg.unique_name("t_0030")
    url = asyncio.run(pg.create_database(server, name))
    yield url
    asyncio.run(pg.drop_database(server, name))


def test_0030_clears_names_nobody_needs_and_keeps_marks(empty_url: str) -> None:
    url, config = empty_url, alembic_config(empty_url)
    command.upgrade(config, "0029")
    run(url, *SEED)

    command.upgrade(config, "0030")
    names, marks, reminders, regs = run(
        url,
        "SELECT id, first_name, last_name, username FROM users ORDER BY id",
        "SELECT registration_id, session_id FROM session_marks",
        "SELECT registration_id FROM reminders_sent",
        "SELECT id, user_id, status FROM registrations",
    )
    assert names == [
        (PARENT, "", None, None),  # a parent who only asked the bot
        (TEACHER, "", None, None),  # registered for a seminar: the profile holds the ФИО
        (STAFF, "Анна", "Методист", "anna_moc"),
        (ASKER, "Ольга", "Кузнецова", None),
        (SUBSCRIBER, "Инна", "Орлова", "inna"),
        (SILENT, "", None, None),
    ]
    assert marks == [(1, 1)] and reminders == [(1,)]
    assert regs == [(1, TEACHER, "attended")]

    # a person who used /forget_me: the row stays without them
    run(url, "UPDATE registrations SET user_id = NULL, anon_channel = 'tg', anon_person = 1")
    command.downgrade(config, "0029")  # such rows cannot name anybody: they go
    assert run(
        url, "SELECT count(*) FROM registrations", "SELECT count(*) FROM session_marks"
    ) == [
        [(0,)],
        [(0,)],
    ]
    command.upgrade(config, "head")


def test_0030_downgrade_keeps_the_marks_of_people_still_there(empty_url: str) -> None:
    url, config = empty_url, alembic_config(empty_url)
    command.upgrade(config, "0029")
    run(url, *SEED)
    command.upgrade(config, "0030")
    command.downgrade(config, "0029")
    assert run(
        url,
        "SELECT id, user_id FROM registrations",
        "SELECT registration_id FROM session_marks",
        "SELECT registration_id FROM reminders_sent",
    ) == [[(1, TEACHER)], [(1,)], [(1,)]]


async def test_forgetting_and_merging_registrations_on_both_backends(backend: Backend) -> None:
    """The SQL /forget_me and /move run on registrations (EventRepo.anonymise, carry_marks):
    PostgreSQL types the INSERT … SELECT of a constant, SQLite does not."""
    engine = create_engine(backend.database_url)
    sessionmaker = create_sessionmaker(engine)
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    try:
        async with sessionmaker() as session:
            repo = Repositories(session)
            for uid in (TEACHER, ASKER):
                await repo.users.touch(uid, "", None, None)
            event = Event(
                title="Практикум", kind="workshop", starts_at=start, duration_min=90,
                format="offline", place="", capacity=10, taken=0, status=EventStatus.PUBLISHED,
            )  # fmt: skip
            await repo.events.add(event, [start, start + timedelta(days=7)])
            regs = [
                (await repo.events.register(event.id, uid)).registration
                for uid in (TEACHER, ASKER)
            ]
            await repo.commit()
            for reg, week in zip(regs, (0, 7), strict=True):
                at = start + timedelta(days=week, minutes=10)
                assert await repo.events.mark_attended(reg.id, True, at)
            await repo.events.carry_marks(regs[1].id, regs[0].id)
            await repo.events.anonymise(TEACHER, "tg")
            await repo.commit()
            marks = await repo.events.marks_by_registration(event.id)
            kept = await session.get(Registration, regs[0].id, populate_existing=True)
        assert len(marks[regs[0].id]) == 2
        assert kept is not None and (kept.user_id, kept.anon_channel) == (None, "tg")
        assert kept.anon_person == regs[0].id
    finally:
        await engine.dispose()
