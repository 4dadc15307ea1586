"""A parents' group where many tap a staff command (/bind from the menu, /tickets): one
refusal is there for all to read, the rest are quiet for a few minutes — before, each press
got its own «только для сотрудников», a group of 200 flooded its own chat and spent the rate
limit the persons' answers need. Telegram and MAX, through the real bots and fake servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.services.chats.pointers import POINTER_EVERY
from bot.services.faq import FaqService
from bot.texts import chats as t
from storage.db import SessionMaker
from tests.conftest import ADMIN, BotHarness, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.max_both import Both
from tests.test_e2e_chats import GROUP, in_group
from tests.test_e2e_max_runtime_groups import METHODIST, _group_row

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MAX_GROUP = -70_000_555_002


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def parent(n: int) -> FakeUser:
    return FakeUser(id=7000 + n, first_name=f"Мама {n}")


async def test_a_group_tapping_bind_gets_one_refusal_not_thirty(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    for n in range(30):
        in_group(h, parent(n), ["/bind", "/bind parents", "/tag 5а"][n % 3])
    await h.server.idle()
    assert [m.text for m in h.server.drain(GROUP)] == [t.BIND_STAFF_ONLY]

    in_group(h, ADMIN, "/bind parents")  # staff are not held back
    assert "родители" in ((await h.server.next_message(GROUP)).text or "").lower()

    clock.set(NOW + POINTER_EVERY + timedelta(seconds=1))
    in_group(h, parent(31), "/bind")
    assert (await h.server.next_message(GROUP)).text == t.BIND_STAFF_ONLY


@pytest.fixture
async def staffed(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Any,
    sessionmaker: SessionMaker, faq_service: FaqService,
) -> AsyncIterator[Both]:  # fmt: skip
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service,
        max_admin_ids=str(METHODIST.user_id),
    ) as h:  # fmt: skip
        yield h


async def test_a_max_group_tapping_staff_commands_gets_one_refusal(
    staffed: Both,
) -> None:
    h = staffed
    h.max.bot_added(MAX_GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(MAX_GROUP))
    for n in range(20):
        someone = MaxUser(50_000_002_000 + n, f"Родитель {n}")
        h.max.user_writes(someone, "/bind" if n % 2 else "/tickets", chat_id=MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, before + 1)
    await asyncio.sleep(1.0)  # nothing more comes
    said = [m.plain for m in h.max.sent_to(MAX_GROUP)[before:]]
    assert len(said) == 1 and said[0] in (t.BIND_STAFF_ONLY, texts.ADMIN_ONLY), said


async def test_a_group_asking_for_contacts_gets_them_once_for_all(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """The group admins' menu offers /contacts: thirty parents tapping it got thirty copies
    of the same card; one is there for all to read, until a few minutes pass."""
    h = harness
    for n in range(10):
        in_group(h, parent(n), "/contacts")
    await h.server.idle()
    said = [m.text or "" for m in h.server.drain(GROUP)]
    assert len(said) == 1 and "МОЦ" in said[0], said
    clock.set(NOW + POINTER_EVERY + timedelta(seconds=1))
    in_group(h, parent(11), "/contacts")
    assert "МОЦ" in ((await h.server.next_message(GROUP)).text or "")


async def test_a_max_group_asking_for_contacts_gets_them_once(staffed: Both) -> None:
    h = staffed
    h.max.bot_added(MAX_GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(MAX_GROUP))
    for n in range(10):
        h.max.user_writes(MaxUser(50_000_004_000 + n, f"Мама {n}"), "/contacts", MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, before + 1)
    await asyncio.sleep(1.0)
    assert len(h.max.sent_to(MAX_GROUP)) == before + 1
