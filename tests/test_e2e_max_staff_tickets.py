"""A MAX-only МОЦ's ticket desk as a staffer lives it: invited staff get the tickets (not only
MAX_ADMIN_IDS), «Ответить» can be cancelled with a button, and a closed ticket's card loses
its buttons wherever it was closed, a stale press being told so rather than acting."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot import texts
from bot.services.faq import FaqService
from bot.texts import staff as staff_texts
from storage.db import SessionMaker
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.max_bot import max_only_bot, say, start

OWNER = MaxUser(50_000_000_301, "Анна", "Методист")
INVITED = MaxUser(50_000_000_302, "Олег", "Педагогов")
MOTHER = MaxUser(50_000_000_303, "Ольга", "Петрова")
QUESTION = "можно ли привести на занятие собаку-поводыря"
INVITE = re.compile(r"https://max\.ru/moc_test_bot\?start=(staff_[A-Za-z0-9_-]+)")


async def invite(fake: FakeMaxServer, owner: MaxUser, newcomer: MaxUser) -> None:
    """`owner` makes an invite link with /invite and `newcomer` opens it."""
    (sent,) = await say(fake, owner, "/invite")
    found = INVITE.search(sent.plain)
    assert found is not None, sent.plain
    joined = await start(fake, newcomer, found.group(1))
    assert joined.plain == staff_texts.INVITE_OUTCOMES["joined"]


async def ask(fake: FakeMaxServer, parent: MaxUser, question: str = QUESTION) -> None:
    """`parent` picks «Родитель», asks what the KB does not answer, sends it to staff."""
    fake.bot_started(parent)
    welcome = (await fake.wait_sent(parent, 1))[0]
    fake.press(parent, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(parent, 2)
    unknown = (await say(fake, parent, question))[-1]
    fake.press(parent, unknown, texts.BTN_ASK_SHORT)
    assert "Номер обращения" in (await fake.wait_sent(parent, 4))[-1].plain


async def cards(fake: FakeMaxServer, staffer: MaxUser, question: str = QUESTION) -> list[Message]:
    """The ticket cards `staffer` holds, once the first has come (and a moment for a second)."""
    for _ in range(200):
        found = [m for m in fake.sent_to(staffer) if question in m.plain and "Обращение" in m.plain]
        if found:
            await asyncio.sleep(0.5)
            return [m for m in fake.sent_to(staffer) if question in m.plain and m.buttons()]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no card for {staffer.first_name}")


async def until(fake: FakeMaxServer, user: MaxUser, needle: str) -> Message:
    """The first message to `user` showing `needle`, waiting for it."""
    for _ in range(300):
        for message in fake.sent_to(user):
            if needle in message.plain:
                return message
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{needle!r} never reached {user.first_name}")


async def owner_and_invited(fake: FakeMaxServer) -> None:
    fake.bot_started(OWNER)
    await fake.wait_sent(OWNER, 1)
    await invite(fake, OWNER, INVITED)


async def test_invited_max_staff_get_new_tickets_once(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """The owner invited a colleague to work the tickets; only MAX_ADMIN_IDS got them, and the
    colleague waited for tickets that never came. Each gets one card and can answer from it."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        await owner_and_invited(fake)
        await ask(fake, MOTHER)
        (colleague_card,) = await cards(fake, INVITED)
        assert len(await cards(fake, OWNER)) == 1, "one card per person"
        before = len(fake.sent_to(INVITED))
        fake.press(INVITED, colleague_card, texts.BTN_REPLY)
        await fake.wait_sent(INVITED, before + 1)
        fake.user_writes(INVITED, "Да, с собакой-поводырём можно.")
        await fake.wait_sent(INVITED, before + 2)
        assert "поводырём" in (await fake.wait_sent(MOTHER, 5))[-1].plain
        await until(fake, OWNER, "Олег Педагогов")  # the owner hears who answered
