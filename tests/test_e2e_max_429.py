"""MAX keeps answering 429 to the bot's reply to a person: the reply is sent again and again
(pauses growing from 1 s) for as long as Telegram's outbound path would wait
(OUTBOUND_GIVE_UP_SECONDS) and arrives once MAX recovers; past that it is given up loudly —
an error in the log and `moc_outbound_given_up_total{priority="max"}` — and the person's next
message is answered as usual. Over the fake MAX server (real HTTP), MAX only; the long spell
itself (minutes of 429s) is in tests/test_max_messenger.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot import texts
from bot.app.factory import Services
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.max_both import KNOWN, MOTHER, new_runtime
from tests.helpers.wait import until
from tests.test_e2e_max_staff_event_form import Max
from tests.test_max_messenger import given_up


@asynccontextmanager
async def max_bot(
    fake: FakeMaxServer, db_path: Any, sm: SessionMaker, faq: FaqService, **overrides: Any
) -> AsyncIterator[Max]:
    settings = make_settings(
        db_path, bot_token=None, max_bot_token=fake.token, max_api_url=fake.url, **overrides
    )
    services = Services(settings, sm, faq)
    runtime = new_runtime(services)
    await runtime.start()
    h = Max(fake, settings, sm, faq, services, runtime)
    try:
        yield h
    finally:
        await h.runtime.stop()


async def as_parent(h: Max) -> None:
    h.fake.bot_started(MOTHER, None)
    (welcome,) = await h.fake.wait_sent(MOTHER, 1)
    await h.presses(MOTHER, welcome, texts.ROLE_TITLES["parent"])


def refused(fake: FakeMaxServer) -> int:
    return len([c for c in fake.calls_to("POST", "/messages") if c.status == 429])


async def test_an_answer_met_by_429s_arrives_when_max_recovers(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    async with max_bot(max_server, db_path, sessionmaker, faq_service) as h:
        await as_parent(h)
        before, counted = refused(h.fake), given_up()
        h.fake.fail_next(429, "too.many.requests", "slow down", times=3)  # 1 + 2 + 4 s
        h.fake.user_writes(MOTHER, KNOWN)
        sent = len(h.fake.sent_to(MOTHER))
        (answer,) = (await h.fake.wait_sent(MOTHER, sent + 1, within=30))[sent:]
        assert "активир" in answer.plain.lower()
        assert refused(h.fake) - before == 3 and given_up() == counted
        await asyncio.sleep(0.5)
        assert len(h.fake.sent_to(MOTHER)) == sent + 1, "sent once, no apology for a 429"


async def test_past_the_give_up_time_the_answer_is_given_up_loudly(
    max_server: FakeMaxServer,
    db_path: Any,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """OUTBOUND_GIVE_UP_SECONDS=2 reaches the MAX runtime's messenger: a 1 s pause, then the
    next (2 s) would pass it."""
    async with max_bot(
        max_server, db_path, sessionmaker, faq_service, outbound_give_up_seconds=2
    ) as h:
        await as_parent(h)
        counted, sent = given_up(), len(h.fake.sent_to(MOTHER))
        h.fake.fail_next(429, "too.many.requests", "slow down", times=2)
        with caplog.at_level(logging.ERROR):
            h.fake.user_writes(MOTHER, KNOWN)
            await until(lambda: given_up() > counted, what="the reply given up")
        assert given_up() == counted + 1
        assert any("given up" in r.getMessage() for r in caplog.records)
        assert len(h.fake.sent_to(MOTHER)) == sent
        (answer,) = await h.says(MOTHER, KNOWN)  # MAX recovered: the next question is answered
        assert "активир" in answer.plain.lower()
