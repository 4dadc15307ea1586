"""The Telegram staff chat refuses posts (the bot removed, a forum's «General» closed): every
ticket goes to each staffer privately — and each post carried «Бот не может писать в чат
сотрудников…», a ticket card, a follow-up, the next ticket. Now each staffer is told that once
an hour, while every card and follow-up still reaches them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, TEACHER, BotHarness, make_settings
from tests.test_e2e_events import NOW
from tests.test_e2e_tickets import UNKNOWN

WHY = "Бот не может писать в чат сотрудников"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, staff_relay_seconds=1)


async def test_a_refusing_staff_chat_is_explained_once_and_every_ticket_still_arrives(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    h.server.block(STAFF_CHAT)
    reply = await h.say(PARENT, UNKNOWN)
    await h.press(PARENT, reply, texts.BTN_ASK_SHORT)
    first = await h.server.next_message(ADMIN.id, timeout=20)
    assert UNKNOWN in first.text and WHY in first.text

    await h.say(PARENT, "ребёнку 9 лет, если это важно")  # a follow-up, through the relay
    addition = await h.server.next_message(ADMIN.id, timeout=20)
    assert "ребёнку 9 лет" in addition.text and WHY not in addition.text

    other = "Где взять справку для бассейна у частного тренера?"
    reply = await h.say(TEACHER, other)
    await h.press(TEACHER, reply, texts.BTN_ASK_SHORT)
    second = await h.server.next_message(ADMIN.id, timeout=20)
    assert other in second.text and WHY not in second.text, second.text
    assert not [m for m in h.server.sent_to(STAFF_CHAT) if UNKNOWN in m.text]

    clock.advance(timedelta(hours=1, minutes=1))  # an hour later, said again
    await h.say(TEACHER, "и для секции плавания тоже")
    later = await h.server.next_message(ADMIN.id, timeout=20)
    assert "секции плавания" in later.text and WHY in later.text
