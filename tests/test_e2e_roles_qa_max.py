"""Roles in MAX, as in Telegram (tests/test_e2e_roles_qa.py): a double tap on «Ответить» asks
once; a staffer removed (in the panel) while their «Ответить» is open cannot answer the
parent any more — the parent gets nothing, the ex-staffer hears why."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.app.factory import Services
from bot.services.faq import FaqService
from bot.services.staff import members
from bot.texts import max as max_texts
from bot.texts import staff as t
from storage.db import SessionMaker
from storage.models import Ticket
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import answered, bot_added, max_only_bot, say, start, ticket_from

OWNER = MaxUser(53_000_000_001, "Анна", "Методист")
NEWCOMER = MaxUser(53_000_000_002, "Олег", "Педагогов")
MOTHER = MaxUser(53_000_000_123, "Ольга", "Петрова")
QUESTION = "можно ли привести на занятие собаку-поводыря"
INVITE = re.compile(r"https://max\.ru/moc_test_bot\?start=(staff_[A-Za-z0-9_-]+)")


@pytest.fixture
async def max_bot(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[tuple[FakeMaxServer, Services]]:
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as bot:
        yield bot


def prompts(fake: FakeMaxServer, user: MaxUser, ticket_id: int) -> list[str]:
    wanted = f"Напишите ответ на обращение №{ticket_id}"
    return [m.plain for m in fake.sent_to(user) if wanted in m.plain]


async def test_a_double_tap_on_reply_prompts_once_in_max(
    max_bot: tuple[FakeMaxServer, Services],
) -> None:
    fake, _ = max_bot
    card = await ticket_from(fake, OWNER, MOTHER, QUESTION)
    first = fake.press(OWNER, card, texts.BTN_REPLY)
    second = fake.press(OWNER, card, texts.BTN_REPLY)
    assert await answered(fake, first) == ""
    assert await answered(fake, second) == texts.STAFF_REPLY_WAITING.format(id=1)
    assert prompts(fake, OWNER, 1) == [max_texts.STAFF_ANSWER_PROMPT.format(id=1)]

    before = len(fake.sent_to(MOTHER))
    fake.user_writes(OWNER, "Да, с собакой-поводырём можно.")  # the wait is still there
    answer = (await fake.wait_sent(MOTHER, before + 1))[-1]
    assert "поводырём можно" in answer.plain


async def test_a_removed_staffer_cannot_answer_through_an_open_reply_in_max(
    max_bot: tuple[FakeMaxServer, Services], sessionmaker: SessionMaker
) -> None:
    fake, services = max_bot
    await ticket_from(fake, OWNER, MOTHER, QUESTION)
    (link,) = await say(fake, OWNER, "/invite")
    found = INVITE.search(link.plain)
    assert found is not None, link.plain
    assert (await start(fake, NEWCOMER, found.group(1))).plain == t.INVITE_OUTCOMES["joined"]
    listed = await say(fake, NEWCOMER, "/tickets", replies=2)
    before = len(fake.sent_to(NEWCOMER))
    fake.press(NEWCOMER, listed[-1], texts.BTN_REPLY)
    await fake.wait_sent(NEWCOMER, before + 1)

    async with sessionmaker() as session:  # the owner removes him on the panel's page
        repo = Repositories(session)
        owner = await repo.channel_ids.find("max", "user", OWNER.user_id)
        newcomer = await repo.channel_ids.find("max", "user", NEWCOMER.user_id)
        assert owner is not None and newcomer is not None
        removed = await members.remove(
            repo, services.roster, owner, newcomer, services.clock.now()
        )
    assert removed == members.Outcome.REMOVED

    mother_before = len(fake.sent_to(MOTHER))
    (told,) = await say(fake, NEWCOMER, "Нет, с собакой нельзя.")
    assert told.plain == texts.STAFF_ANSWER_NOT_STAFF
    assert len(fake.sent_to(MOTHER)) == mother_before
    async with sessionmaker() as session:
        ticket = await session.get(Ticket, 1)
    assert ticket is not None and ticket.status == "open"
    # the wait is gone too: his next words are an ordinary question, not an answer
    await say(fake, NEWCOMER, "как записаться на кружок")
    assert len(fake.sent_to(MOTHER)) == mother_before


async def test_a_name_that_looks_like_html_is_listed_as_written_in_max(
    max_bot: tuple[FakeMaxServer, Services],
) -> None:
    fake, _ = max_bot
    odd = MaxUser(53_000_000_004, "<b>Ира</b> & Ко", "Смирнова")
    fake.bot_started(OWNER)
    await fake.wait_sent(OWNER, 1)
    (link,) = await say(fake, OWNER, "/invite")
    found = INVITE.search(link.plain)
    assert found is not None, link.plain
    assert (await start(fake, odd, found.group(1))).plain == t.INVITE_OUTCOMES["joined"]
    (listing,) = await say(fake, OWNER, "/staff")
    assert "<b>Ира</b> & Ко Смирнова — сотрудник, MAX" in listing.plain, listing.plain


MAX_GROUP = -68_000_000_000_501


async def test_staff_commands_in_a_max_group_point_to_the_private_dialog(
    max_bot: tuple[FakeMaxServer, Services],
) -> None:
    """In a Telegram group staff hear «напишите мне в личном чате»; in a MAX group the same
    commands met silence, as if the bot were down (the README promises groups alike)."""
    fake, _ = max_bot
    fake.bot_started(OWNER)
    await fake.wait_sent(OWNER, 1)
    await bot_added(fake, MAX_GROUP, OWNER, "Родители 1А")
    for command in ("tickets", "report", "staff", "web", "invite", "broadcast"):
        before = len(fake.sent_to(MAX_GROUP))
        fake.user_writes(OWNER, f"/{command}", chat_id=MAX_GROUP)
        said = (await fake.wait_sent(MAX_GROUP, before + 1))[before:]
        pointer = max_texts.STAFF_COMMAND_IN_GROUP.format(command=command)
        assert [m.plain for m in said] == [pointer], said
    before = len(fake.sent_to(MAX_GROUP))
    fake.user_writes(MOTHER, "/tickets", chat_id=MAX_GROUP)  # a parent: not staff
    said = (await fake.wait_sent(MAX_GROUP, before + 1))[before:]
    assert [m.plain for m in said] == [texts.ADMIN_ONLY]
