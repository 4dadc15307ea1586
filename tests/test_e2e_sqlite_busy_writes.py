"""A person's update survives another writer holding SQLite longer than one busy timeout.

Here a second connection (a backup, an import, another process) takes SQLite's write lock at
the moment the bot begins each transaction's first write — the update's claim, the new user's
row, the MAX id, the dialog step, the ticket, the question log — and keeps it longer than one
busy timeout, shorter than three. Each of those writes must wait the lock out: the person gets
the bot's usual answer a moment late, and what they did is in the database. A write that gave
up after one busy timeout got them an apology instead, and lost the question.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from bot import texts
from bot.app import factory
from bot.core.ids import Channel
from bot.services.faq import FaqService
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import Ticket, User
from storage.repositories import Repositories
from tests.conftest import PARENT, STAFF_CHAT, make_settings, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.max_both import MOTHER, Both, as_parent

BUSY = 0.4  # one busy timeout
HOLD = 0.8  # the other writer's lock: two busy timeouts, well short of three
NEWCOMER = FakeUser(5_400_001, "Новенький")
EARLIER = FakeUser(5_400_002, "Пришёл раньше")
QUESTION = "Можно ли перенести занятие ребёнка на субботу?"
WRITES = ("INSERT", "UPDATE", "DELETE")


class OtherWriter:
    """Takes the write lock from its own connection right before the bot runs a write whose
    transaction does not hold the lock yet, and keeps it `HOLD` seconds; `held` names the
    tables it was taken against. The loops already running (the outbox's, MAX polling) are
    left alone: what is measured is the person's update."""

    def __init__(self, db_path: Path) -> None:
        self.db_path, self.held = db_path, list[str]()
        self._open: set[sqlite3.Connection] = set()
        self._loops = asyncio.all_tasks()

    def before_write(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if asyncio.current_task() in self._loops:
            return
        if not statement.lstrip().upper().startswith(WRITES):
            return
        other = sqlite3.connect(self.db_path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # the bot's transaction already holds it: no wait
            other.close()
            return
        self._open.add(other)
        self.held.append(table_of(statement))
        asyncio.get_running_loop().call_later(HOLD, self._release, other)

    def _release(self, other: sqlite3.Connection) -> None:
        if other in self._open:
            self._open.discard(other)
            other.execute("COMMIT")
            other.close()

    def release_all(self) -> None:
        for other in list(self._open):
            self._release(other)


def table_of(statement: str) -> str:
    words = statement.replace('"', " ").split()
    after = {"INTO", "UPDATE", "FROM"}
    return next((w for p, w in itertools.pairwise(words) if p.upper() in after), "?")


@contextlib.contextmanager
def other_writer(db_path: Path) -> Iterator[OtherWriter]:
    """Another writer in the database for as long as the block runs."""
    writer = OtherWriter(db_path)
    event.listen(Engine, "before_cursor_execute", writer.before_write)
    try:
        yield writer
    finally:
        event.remove(Engine, "before_cursor_execute", writer.before_write)
        writer.release_all()


@pytest.fixture
async def short_busy(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> AsyncIterator[SessionMaker]:
    """The bot's engines with a busy timeout of `BUSY`: the updates' own and the one the
    Telegram dialog steps are kept through (bot.app.factory.create_fsm_storage)."""
    short = functools.partial(create_engine, busy_timeout=BUSY)
    monkeypatch.setattr(factory, "create_engine", short)
    engine = create_engine(make_settings(db_path).database_url, busy_timeout=BUSY)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def bots(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    short_busy: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    # the outbox and broadcast loops poll once at the start, then not during the test
    quiet = {"broadcast_poll_seconds": 60}
    async with running_both(server, max_server, db_path, short_busy, faq_service, **quiet) as h:
        h.tg.user_sends("/start", user=EARLIER)  # answered once the loops have started
        await h.tg.next_message(EARLIER.id)
        yield h


async def user_row(sm: SessionMaker, channel: Channel, external_id: int) -> User | None:
    async with sm() as session:
        uid = await Repositories(session).channel_ids.find(channel, "user", external_id)
        return await session.get(User, uid) if uid is not None else None


async def tickets(sm: SessionMaker) -> list[str]:
    async with sm() as session:
        return [t.question for t in await session.scalars(select(Ticket))]


async def test_a_newcomer_in_telegram_is_greeted_and_remembered(bots: Both, db_path: Path) -> None:
    h = bots
    with other_writer(db_path) as writer:
        h.tg.user_sends("/start", user=NEWCOMER)
        welcome = await h.tg.next_message(NEWCOMER.id, timeout=15)
    assert "Кто вы?" in (welcome.text or ""), welcome.text
    assert {"processed_updates", "users"} <= set(writer.held), writer.held
    user = await user_row(h.sessionmaker, "tg", NEWCOMER.id)
    assert user is not None and user.first_name == ""  # the name is not kept (152-ФЗ)
    assert "Новенький" in (welcome.text or "")  # but greets them


async def test_a_parents_question_in_telegram_reaches_a_specialist(
    bots: Both, db_path: Path
) -> None:
    h = bots
    h.tg.user_sends("/start", user=PARENT)
    welcome = await h.tg.next_message(PARENT.id)
    h.tg.press(welcome, texts.ROLE_TITLES["parent"], user=PARENT)
    await h.tg.next_message(PARENT.id)
    with other_writer(db_path) as writer:
        h.tg.user_sends("/ask", user=PARENT)
        prompt = await h.tg.next_message(PARENT.id, timeout=15)
        h.tg.user_sends(QUESTION, user=PARENT)
        created = await h.tg.next_message(PARENT.id, timeout=15)
    assert (prompt.text or "").startswith("Напишите ваш вопрос"), prompt.text
    assert "Номер обращения" in (created.text or ""), created.text
    assert {"fsm_records", "users"} <= set(writer.held), writer.held  # users: the name kept
    assert await tickets(h.sessionmaker) == [QUESTION]
    assert QUESTION in ((await h.tg.next_message(STAFF_CHAT, timeout=15)).text or "")


async def test_a_newcomer_in_max_is_greeted_and_remembered(bots: Both, db_path: Path) -> None:
    h = bots
    with other_writer(db_path) as writer:
        h.max.bot_started(MOTHER)
        (welcome,) = await h.max.wait_sent(MOTHER, 1, within=15)
    assert "Кто вы?" in welcome.plain, welcome.plain
    assert {"processed_updates", "channel_ids", "users"} <= set(writer.held), writer.held
    user = await user_row(h.sessionmaker, "max", MOTHER.user_id)
    assert user is not None and user.first_name == ""  # the name is not kept (152-ФЗ)


async def test_a_parents_question_in_max_reaches_a_specialist(bots: Both, db_path: Path) -> None:
    h = bots
    await as_parent(h)
    with other_writer(db_path) as writer:
        prompt = (await h.say(MOTHER, "/ask")).plain
        h.max.user_writes(MOTHER, QUESTION)
        created = (await h.max.wait_sent(MOTHER, 4, within=15))[-1]
    assert prompt.startswith("Напишите ваш вопрос"), prompt
    assert "Номер обращения" in created.plain, created.plain
    assert {"fsm_records", "users"} <= set(writer.held), writer.held  # users: the name kept
    assert await tickets(h.sessionmaker) == [QUESTION]
    assert QUESTION in ((await h.tg.next_message(STAFF_CHAT, timeout=15)).text or "")


async def test_a_lock_past_every_wait_in_max_is_apologised_for_and_polling_goes_on(
    bots: Both, db_path: Path
) -> None:
    """The claim gave up with «database is locked» outside the handler's error net: the
    person heard nothing and MAX polling stopped for everyone until a restart."""
    h = bots
    await as_parent(h)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        h.max.user_writes(MOTHER, "/ask")
        sorry = (await h.max.wait_sent(MOTHER, 3, within=15))[-1]
    finally:
        other.execute("COMMIT")
        other.close()
    assert sorry.plain == texts.ERROR, sorry.plain
    prompt = await h.say(MOTHER, "/ask")
    assert prompt.plain.startswith("Напишите ваш вопрос"), prompt.plain
