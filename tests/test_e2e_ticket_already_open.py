"""A second question to a specialist while the first still waits is added to the open ticket,
and the parent is told, as for a new ticket, where and when the answer comes — in Telegram
and MAX. Before, «У вас уже есть открытое обращение №1 — добавил вопрос туда.» said neither:
a parent who asked on Friday evening did not know whether to wait for an answer here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import PARENT, STAFF_CHAT, BotHarness, make_settings, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import MOTHER, UNKNOWN, as_parent
from tests.test_e2e_tickets import ask_specialist

HOURS = "пн–пт 9:00–18:00"
SECOND = "а можно ли приходить на занятия с младшим братом"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, moc_hours=HOURS)


def says_when(text: str) -> bool:
    return "Ответ придёт сюда же" in text and f"({HOURS})" in text


async def test_a_second_question_to_the_specialist_says_when_the_answer_comes(
    harness: BotHarness,
) -> None:
    h = harness
    await ask_specialist(h)
    assert says_when(h.server.sent_to(PARENT.id)[-1].text)  # the new ticket said it
    await h.say(PARENT, "/ask")
    added = await h.say(PARENT, SECOND)
    assert "уже есть открытое обращение" in added.text, added.text
    assert says_when(added.text), added.text
    note = await h.server.next_message(STAFF_CHAT, timeout=10)
    while SECOND not in (note.text or ""):
        note = await h.server.next_message(STAFF_CHAT, timeout=10)


async def test_a_second_question_to_the_specialist_says_when_in_max(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, moc_hours=HOURS
    ) as h:
        await as_parent(h)
        await h.say(MOTHER, "/ask")
        created = await h.say(MOTHER, UNKNOWN)
        assert "Номер обращения" in created.plain and says_when(created.plain)
        await h.say(MOTHER, texts.BTN_ASK_SHORT)  # the button's words typed: /ask again
        added = await h.say(MOTHER, SECOND)
        assert "уже есть открытое обращение" in added.plain, added.plain
        assert says_when(added.plain), added.plain
