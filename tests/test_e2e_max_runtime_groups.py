"""The MAX runtime joins the group side too: a group is registered when the bot is added, an
admin's /bind in the group binds it, a parent's chatter in the group gets no FAQ answer, and a
dialog question still does — through the same dispatcher the runner starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.core.ids import BASE
from bot.services.faq import FaqService
from bot.texts import chats as t
from storage.db import SessionMaker
from storage.models import Chat
from storage.repositories.chats import audiences_of
from tests.conftest import running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import KNOWN, MOTHER, Both

GROUP = -70_000_555_001
METHODIST = MaxUser(50_000_000_777, "Ирина", "Методист")


@pytest.fixture
async def staffed(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Any,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    """Telegram and MAX in one process, with a МОЦ methodist among MAX_ADMIN_IDS."""
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service,
        max_admin_ids=str(METHODIST.user_id),
    ) as h:  # fmt: skip
        yield h


async def test_a_busy_max_group_gets_one_pointer_and_questions_still_get_theirs(
    staffed: Both,
) -> None:
    """Thirty parents typing /start or @moc_test_bot in one MAX group within a minute got
    thirty pointers; one is there for all to read now, and a question by name gets its own."""
    h = staffed
    h.max.bot_added(GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(GROUP))
    for n in range(30):
        parent = MaxUser(50_000_001_000 + n, f"Родитель {n}")
        h.max.user_writes(parent, "@moc_test_bot" if n % 3 == 0 else "/start", chat_id=GROUP)
    await h.max.wait_sent(GROUP, before + 1)
    await asyncio.sleep(1.0)  # nothing more comes
    assert [m.plain for m in h.max.sent_to(GROUP)[before:]] == [t.IN_GROUP]

    h.max.user_writes(MOTHER, "@moc_test_bot, как активировать сертификат?", chat_id=GROUP)
    await h.max.wait_sent(GROUP, before + 2)
    await asyncio.sleep(0.3)
    assert [m.plain for m in h.max.sent_to(GROUP)[before:]] == [t.IN_GROUP] * 2


async def _group_row(h: Both) -> Chat | None:
    """The MAX group's row (internal id below -2**60), waited for."""
    for _ in range(100):
        async with h.sessionmaker() as session:
            found = (
                await session.scalars(
                    select(Chat).where(Chat.id < -BASE).options(selectinload(Chat.audiences))
                )
            ).first()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    return None


async def test_a_max_group_is_registered_bound_by_an_admin_and_not_answered_by_the_faq(
    staffed: Both,
) -> None:
    h = staffed
    h.max.bot_added(GROUP, METHODIST)
    assert await _group_row(h) is not None, "bot_added registered the MAX group"

    group_before = len(h.max.sent_to(GROUP))
    h.max.user_writes(MOTHER, KNOWN, chat_id=GROUP)  # a parent talking in the group
    h.max.user_writes(METHODIST, "/bind parents", chat_id=GROUP)
    replies = await h.max.wait_sent(GROUP, group_before + 1)
    assert len(replies) == group_before + 1, "only /bind was answered in the group"
    assert "Родители" in replies[-1].plain or "parents" in replies[-1].plain
    bound: list[str] = []
    for _ in range(100):
        chat = await _group_row(h)
        bound = audiences_of(chat) if chat is not None else []
        if bound:
            break
        await asyncio.sleep(0.05)
    assert bound == ["parents"]

    answer = await h.say(MOTHER, KNOWN)  # the dialog still gets the FAQ
    assert "активир" in answer.plain.lower()


async def test_a_renamed_max_group_is_listed_under_its_new_name(staffed: Both) -> None:
    """MAX reports a rename as `chat_title_changed`; the registry follows, as with Telegram."""
    h = staffed
    h.max.bot_added(GROUP, METHODIST, title="Родители 1А")
    chat = await _group_row(h)
    assert chat is not None and chat.title == "Родители 1А"

    h.max.chat_title_changed(GROUP, METHODIST, "Родители 2А <школа №5>")
    for _ in range(100):
        chat = await _group_row(h)
        if chat is not None and chat.title != "Родители 1А":
            break
        await asyncio.sleep(0.05)
    assert chat is not None and chat.title == "Родители 2А <школа №5>"
    assert chat.is_active


async def test_a_parent_addressing_the_bot_in_a_max_group_is_sent_to_the_dialog(
    staffed: Both,
) -> None:
    """As in a Telegram group: /start, /help, /cancel, @bot get one pointer to the private
    dialog with a link button; the FAQ never answers there and other talk is left alone."""
    h = staffed
    h.max.bot_added(GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(GROUP))

    h.max.user_writes(MOTHER, "/start", chat_id=GROUP)
    h.max.user_writes(MOTHER, KNOWN, chat_id=GROUP)  # to the other parents
    h.max.user_writes(MOTHER, f"@moc_test_bot, {KNOWN}", chat_id=GROUP)  # a question: answered
    await h.max.wait_sent(GROUP, before + 2)
    h.max.user_writes(MOTHER, "/help", chat_id=GROUP)  # the pointer is right above: no more
    h.max.user_writes(MOTHER, "/cancel", chat_id=GROUP)  # a group has no dialog to cancel
    await asyncio.sleep(0.5)  # nothing more comes
    replies = h.max.sent_to(GROUP)[before:]
    assert [m.plain for m in replies] == [t.IN_GROUP] * 2
    buttons = [b for row in replies[0].buttons() for b in row]
    assert [(b["text"], b.get("url")) for b in buttons] == [
        (t.BTN_OPEN_PRIVATE, "https://max.ru/moc_test_bot")
    ]
    assert not any("активир" in m.plain.lower() for m in replies)


async def test_max_staff_hear_when_the_bot_is_removed_from_a_bound_group(staffed: Both) -> None:
    """As in Telegram: the group stops getting broadcasts, and the MAX admins are told which."""
    h = staffed
    h.max.bot_added(GROUP, METHODIST, title="Родители 3Б")
    assert await _group_row(h) is not None
    h.max.user_writes(METHODIST, "/bind parents", chat_id=GROUP)
    for _ in range(100):
        chat = await _group_row(h)
        if chat is not None and audiences_of(chat):
            break
        await asyncio.sleep(0.05)
    told = len(h.max.sent_to(METHODIST))

    h.max.bot_removed(GROUP, MOTHER)
    notices = (await h.max.wait_sent(METHODIST, told + 1))[told:]
    assert "Бота удалили из группы MAX" in notices[0].plain
    assert "Родители 3Б" in notices[0].plain and str(GROUP) in notices[0].plain
    chat = await _group_row(h)
    assert chat is not None and not chat.is_active
