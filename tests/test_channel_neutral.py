"""A second messenger is an adapter: the consultant runs through a fake channel, no aiogram.

A parent's question is answered from the knowledge base; one it cannot answer goes to staff
with one press, a staff answer reaches the parent, and a person who blocked the bot is marked
inactive — all through `bot.core.messages.Messenger` implemented by `tests/fakes/channel.py`
and its twenty-line adapter. A subprocess checks that none of it loads aiogram.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.ids import BASE
from bot.core.messages import MessageRef, Switchboard, Unreachable
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.services.tickets import buttons
from bot.services.tickets.posting import deliver_answer, open_ticket, redact_posts
from storage.db import SessionMaker
from storage.models import TicketStatus
from storage.repositories import Repositories
from tests.fakes.channel import FakeAdapter, FakeChannel

ROOT = Path(__file__).resolve().parent.parent
PARENT = 5001


async def _ask(sessionmaker: SessionMaker, settings: Settings, channel: FakeChannel) -> int:
    async with sessionmaker() as session:
        repo = Repositories(session)
        user, _ = await repo.users.touch(PARENT, "Анна <b>", None, None)
        await repo.commit()
        ticket, appended, reach = await open_ticket(
            channel, repo, settings, user, PARENT, "Сертификат не активируется, что делать?"
        )
        assert (appended, reach) == (False, "posted")
        return ticket.id


async def test_ticket_to_staff_and_answer_back(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    channel = FakeChannel()
    ticket_id = await _ask(sessionmaker, settings, channel)

    [post] = channel.to(settings.staff_chat_id or 0)
    assert "Сертификат не активируется" in post.text
    assert "Анна &lt;b&gt;" in post.text  # the name is escaped
    assert f"Telegram, id <code>{PARENT}</code>" in post.text
    assert post.action("✍️ Ответить") == buttons.ticket_action("reply", ticket_id)

    async with sessionmaker() as session:
        repo = Repositories(session)
        ticket = await repo.tickets.get(ticket_id)
        assert ticket is not None
        delivered = await deliver_answer(
            channel, repo, ticket, (1, "Методист"), "Зайдите в <b>Навигатор</b>", "Зайдите"
        )
    assert delivered
    [answer] = channel.to(PARENT)
    assert "Зайдите в <b>Навигатор</b>" in answer.text
    assert answer.action(answer.labels()[0]) == buttons.ticket_action("solved", ticket_id)
    async with sessionmaker() as session:
        ticket = await Repositories(session).tickets.get(ticket_id)
        assert ticket is not None and ticket.status == TicketStatus.ANSWERED

    await redact_posts(channel, [(ticket_id, post.chat_id, post.message_id, "")])
    assert [ref.message_id for ref, _ in channel.edits] == [post.message_id]
    assert "Сертификат" not in channel.edits[0][1]


async def test_an_answer_to_someone_who_blocked_the_bot_is_kept_and_they_are_inactive(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    channel = FakeChannel()
    ticket_id = await _ask(sessionmaker, settings, channel)
    channel.refuse(PARENT)
    async with sessionmaker() as session:
        repo = Repositories(session)
        ticket = await repo.tickets.get(ticket_id)
        assert ticket is not None
        assert not await deliver_answer(channel, repo, ticket, (1, "М"), "Ответ", "Ответ")
    async with sessionmaker() as session:
        repo = Repositories(session)
        user = await repo.users.get(PARENT)
        ticket = await repo.tickets.get(ticket_id)
        assert user is not None and not user.is_active
        assert ticket is not None and [m.text for m in ticket.messages][-1] == "Ответ"


async def test_a_parent_is_answered_and_a_question_nobody_wrote_down_reaches_staff(
    sessionmaker: SessionMaker, settings: Settings, faq_service: FaqService
) -> None:
    channel = FakeChannel()
    querylog = QueryLog(sessionmaker, FrozenClock(datetime(2026, 12, 5, 9, tzinfo=UTC)))
    adapter = FakeAdapter(channel, faq_service, sessionmaker, settings, querylog)

    await adapter.says(PARENT, "Анна", "как активировать сертификат дополнительного образования")
    [answer] = channel.to(PARENT)
    assert "сертификат" in answer.text.lower() and texts.BTN_ASK_INLINE in answer.labels()
    assert "не нашёл" not in answer.text.lower()

    await adapter.says(PARENT, "Анна", "во дворе школы сломались качели, кому звонить?")
    offer = channel.to(PARENT)[-1]
    assert texts.BTN_ASK_SHORT in offer.labels()
    await adapter.presses(PARENT, offer.action(texts.BTN_ASK_SHORT))
    [post] = channel.to(settings.staff_chat_id or 0)
    assert "качели" in post.text
    assert channel.to(PARENT)[-1].text.startswith("Передал ваш вопрос специалисту")

    async with sessionmaker() as session:
        repo = Repositories(session)
        ticket = await repo.tickets.open_for_user(PARENT)
        assert ticket is not None
        await deliver_answer(channel, repo, ticket, (1, "Методист"), "Звоните в ЖЭК", "Звоните")
    assert "Звоните в ЖЭК" in channel.to(PARENT)[-1].text
    await querylog.stop()


def test_the_services_and_the_fake_channel_load_no_aiogram() -> None:
    code = (
        "import sys\n"
        "import tests.fakes.channel, bot.services.tickets.posting, bot.services.tickets.relay\n"
        "import bot.services.tickets.media, bot.services.faq.consult, storage.repositories\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'aiogram', 'handlers'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


async def test_the_switchboard_sends_each_message_through_its_chats_messenger() -> None:
    telegram, max_ = FakeChannel(channel="tg"), FakeChannel(channel="max")
    board = Switchboard({"tg": telegram, "max": max_})
    await board.send(5001, "в Telegram")
    await board.send(BASE + 7, "в MAX")
    assert [m.text for m in telegram.sent] == ["в Telegram"]
    assert [m.text for m in max_.sent] == ["в MAX"]
    with pytest.raises(Unreachable):  # a picture cannot cross messengers
        await board.copy(MessageRef(BASE + 7, 1), 5001)
    with pytest.raises(Unreachable):
        await Switchboard({"tg": telegram}).send(BASE + 7, "некуда")
