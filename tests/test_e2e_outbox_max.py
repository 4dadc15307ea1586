"""The outbox for MAX: a reply to a person that MAX refuses (429) past OUTBOUND_GIVE_UP_SECONDS,
or that is waiting when the runtime stops, is kept and delivered by the jobs loop — with its
buttons — once MAX lets it through; a person who blocked the bot has theirs dropped. The real
MAX runtime and jobs over the fake MAX server (real HTTP), MAX only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app.factory import Services
from bot.app.jobs import Jobs
from bot.services.faq import FaqService
from handlers.max.messenger import FAULT_ATTEMPTS
from storage.db import SessionMaker
from storage.models import OutboxMessage
from tests.conftest import make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.max_both import KNOWN, MOTHER, new_runtime
from tests.helpers.wait import until
from tests.test_e2e_max_429 import as_parent, refused
from tests.test_e2e_max_staff_event_form import Max


@asynccontextmanager
async def max_process(
    fake: FakeMaxServer, db_path: Any, sm: SessionMaker, faq: FaqService, **overrides: Any
) -> AsyncIterator[Max]:
    """A MAX-only process: the runtime and the jobs loop, stopped as `run` stops them."""
    settings = make_settings(
        db_path, bot_token=None, max_bot_token=fake.token, max_api_url=fake.url,
        broadcast_poll_seconds=0.2, **overrides,
    )  # fmt: skip
    services = Services(settings, sm, faq)
    runtime = new_runtime(services)
    await runtime.start()
    jobs = Jobs(settings, sm, services.clock, services.switchboard)
    await jobs.start()
    try:
        yield Max(fake, settings, sm, faq, services, runtime)
    finally:
        await jobs.stop()
        await runtime.stop()


async def stored(sm: SessionMaker) -> int:
    async with sm() as s:
        return int(await s.scalar(select(func.count(OutboxMessage.id))) or 0)


def keyboard(message: Any) -> list[Any]:
    return [a for a in message.attachments if a.get("type") == "inline_keyboard"]


@pytest.mark.parametrize(
    ("status", "code", "times"),
    [
        (429, "too.many.requests", 5),  # refused ~2 s past the give-up time
        (502, "internal.error", FAULT_ATTEMPTS),  # MAX's own outage: every try fails
    ],
)
async def test_a_max_answer_refused_or_failing_arrives_from_the_outbox_with_its_buttons(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService,
    status: int, code: str, times: int,
) -> None:  # fmt: skip
    """A 502 on every try used to drop the parent's answer; now, like a long 429, it waits in
    the outbox and arrives once, with its buttons."""
    async with max_process(
        max_server, db_path, sessionmaker, faq_service, outbound_give_up_seconds=2
    ) as h:
        await as_parent(h)
        sent = len(h.fake.sent_to(MOTHER))
        h.fake.fail_next(status, code, "refused", times=times)

        async def kept() -> bool:
            return await stored(sessionmaker) > 0

        h.fake.user_writes(MOTHER, KNOWN)
        await until(kept)
        (answer,) = (await h.fake.wait_sent(MOTHER, sent + 1, within=20))[sent:]
        assert "активир" in answer.plain.lower()
        assert keyboard(answer), answer.attachments
        await asyncio.sleep(0.5)
        assert await stored(sessionmaker) == 0
        assert len(h.fake.sent_to(MOTHER)) == sent + 1


async def test_a_max_answer_waiting_at_shutdown_arrives_after_the_restart(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    async with max_process(max_server, db_path, sessionmaker, faq_service) as h:
        await as_parent(h)
        sent, before = len(h.fake.sent_to(MOTHER)), refused(h.fake)
        # 429s at 0, 1, 3, 7, 15 s and beyond: more than a stop waits for the update in hand
        h.fake.fail_next(429, "too.many.requests", "slow down", times=6)
        h.fake.user_writes(MOTHER, KNOWN)

        async def met() -> bool:
            return refused(h.fake) > before

        await until(met)
    assert len(h.fake.sent_to(MOTHER)) == sent
    async with max_process(max_server, db_path, sessionmaker, faq_service) as h:
        (answer,) = (await h.fake.wait_sent(MOTHER, sent + 1, within=20))[sent:]
        assert "активир" in answer.plain.lower()
        assert keyboard(answer)
        await asyncio.sleep(0.5)
        assert await stored(sessionmaker) == 0
        assert len(h.fake.sent_to(MOTHER)) == sent + 1


async def test_a_stored_max_answer_to_a_parent_who_blocked_the_bot_is_dropped(
    max_server: FakeMaxServer,
    db_path: Any,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with max_process(
        max_server, db_path, sessionmaker, faq_service, outbound_give_up_seconds=2
    ) as h:
        await as_parent(h)
        sent = len(h.fake.sent_to(MOTHER))
        h.fake.fail_next(429, "too.many.requests", "slow down", times=8)
        with caplog.at_level(logging.INFO):
            h.fake.user_writes(MOTHER, KNOWN)

            async def kept() -> bool:
                return await stored(sessionmaker) > 0

            async def gone() -> bool:
                return await stored(sessionmaker) == 0

            await until(kept)
            h.fake.block(MOTHER)
            await until(gone, within=20)
        assert len(h.fake.sent_to(MOTHER)) == sent
        assert any("dropped" in r.getMessage() for r in caplog.records)
