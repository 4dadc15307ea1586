"""A person who wrote always gets an answer: Telegram's 429s past OUTBOUND_GIVE_UP_SECONDS, or
a shutdown while the answer waits for its slot, put it in the outbox (bot/services/outbox), and
the jobs loop delivers it — with its buttons — once Telegram lets it through. Real bot, real
database, the fake Bot API over HTTP answering 429 to the parent's chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core import metrics
from bot.services.faq import FaqService
from bot.services.outbox import Outbox, Parcel
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import OutboxMessage
from storage.repositories.users import UserRepo
from tests.conftest import TOKEN, make_settings, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.test_e2e_outbound import QUESTION, running

PARENT = FakeUser(5_300_001, "Мама Ани")


@pytest.fixture
async def fake() -> FakeTelegramServer:
    async with FakeTelegramServer(TOKEN) as server:
        yield server  # type: ignore[misc]


@contextlib.asynccontextmanager
async def process(
    server: FakeTelegramServer, db_path: Path, faq: FaqService
) -> AsyncIterator[SessionMaker]:
    """The bot as one process: when it stops, whatever its updates still wait for dies with
    it (asyncio.run cancels the tasks left), as a real process's would."""
    settings = make_settings(db_path, broadcast_poll_seconds=0.2)
    engine = create_engine(settings.database_url)
    _bot, dp, task = await start_bot(server, settings, create_sessionmaker(engine), faq)
    try:
        yield create_sessionmaker(engine)
    finally:
        left = list(getattr(dp, "_handle_update_tasks", ()))
        await stop_bot(dp, task)
        for waiting in left:
            waiting.cancel()
        await asyncio.gather(*left, return_exceptions=True)
        await engine.dispose()


async def stored(sm: SessionMaker) -> int:
    async with sm() as s:
        return int(await s.scalar(select(func.count(OutboxMessage.id))) or 0)


async def until_stored(sm: SessionMaker, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while await stored(sm) == 0:
        assert time.monotonic() < deadline, "the answer never reached the outbox"
        await asyncio.sleep(0.05)


def refused(fake: FakeTelegramServer, chat_id: int) -> int:
    return sum(
        1 for c in fake.calls
        if c.method == "sendmessage" and str(c.params.get("chat_id")) == str(chat_id)
        and c.error_code == 429
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "count"),
    [
        (429, 5),  # 429 for ~5 s in the parent's chat; the bot gives a message up after 1.5 s
        (502, 1),  # Telegram's own failure: used to end in «что-то пошло не так»
    ],
)
async def test_an_answer_refused_or_failing_arrives_from_the_outbox_with_its_buttons(
    fake: FakeTelegramServer, db_path: Path, faq_service: FaqService, status: int, count: int
) -> None:
    kept = metrics.value("moc_outbox_messages_total", event="stored", channel="tg")
    retry = {"retry_after": 1} if status == 429 else {"description": "Bad Gateway"}
    fake.fail_next("sendMessage", status=status, count=count, chat_id=PARENT.id, **retry)
    async with running(fake, db_path, faq_service, outbound_give_up_seconds=1.5) as sm:
        fake.user_sends(QUESTION, user=PARENT)
        await until_stored(sm)
        answer = await fake.next_message(PARENT.id, timeout=20)
        assert "сертификат" in answer.text.lower()
        assert answer.inline_markup and answer.inline_markup["inline_keyboard"], answer
        await asyncio.sleep(0.5)
        assert await stored(sm) == 0
        assert len(fake.sent_to(PARENT.id)) == 1, "delivered once, no apology"
    assert metrics.value("moc_outbox_messages_total", event="stored", channel="tg") == kept + 1


async def test_an_answer_waiting_at_shutdown_arrives_after_the_restart(
    fake: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1, count=4, chat_id=PARENT.id)
    async with process(fake, db_path, faq_service) as sm:  # waits the default ten minutes
        fake.user_sends(QUESTION, user=PARENT)
        deadline = time.monotonic() + 10
        while refused(fake, PARENT.id) < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    assert fake.sent_to(PARENT.id) == []
    async with process(fake, db_path, faq_service) as sm:
        answer = await fake.next_message(PARENT.id, timeout=20)
        assert "сертификат" in answer.text.lower()
        assert answer.inline_markup and answer.inline_markup["inline_keyboard"]
        await asyncio.sleep(0.5)
        assert await stored(sm) == 0
        assert len(fake.sent_to(PARENT.id)) == 1


async def test_a_stored_answer_to_a_parent_who_blocked_the_bot_is_dropped(
    fake: FakeTelegramServer,
    db_path: Path,
    faq_service: FaqService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1, count=6, chat_id=PARENT.id)
    async with running(fake, db_path, faq_service, outbound_give_up_seconds=1.5) as sm:
        with caplog.at_level(logging.INFO):
            fake.user_sends(QUESTION, user=PARENT)
            await until_stored(sm)
            fake.block(PARENT.id)
            deadline = time.monotonic() + 20
            while await stored(sm):
                assert time.monotonic() < deadline, "the blocked parent's row stayed"
                await asyncio.sleep(0.1)
        assert fake.sent_to(PARENT.id) == []
        assert any("dropped" in r.getMessage() for r in caplog.records)


async def test_forget_me_deletes_the_replies_waiting_in_the_outbox(
    sessionmaker: SessionMaker,
) -> None:
    """A kept reply carries what the person asked: /forget_me takes it with the rest."""
    outbox = Outbox(sessionmaker)
    await outbox.keep(Parcel("tg", PARENT.id, "Ответ о собаке-поводыре"), "test")
    await outbox.keep(Parcel("tg", PARENT.id + 1, "Ответ другому родителю"), "test")
    async with sessionmaker() as s:
        await UserRepo(s).forget(PARENT.id)
        await s.commit()
    async with sessionmaker() as s:
        left = (await s.scalars(select(OutboxMessage.chat_id))).all()
    assert left == [PARENT.id + 1]
