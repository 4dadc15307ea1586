"""MAX has no reply keyboard, so no «Частые вопросы» menu button: its topics are the inline
«📚 Все темы». A parent walks the paths whose Telegram texts point at a keyboard button (role
chosen, /menu, /cancel with nothing open, a topic gone since, /contacts, /my_events with none,
a question without words, one the bot cannot answer) over the fake MAX server; nothing they
read sends them to what MAX lacks, and a button named is under the text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import answer_to, max_only_bot, say, start
from tests.helpers.max_both import UNKNOWN, labels

MOTHER = MaxUser(53_000_000_123, "Ольга", "Петрова")
LACKING = ("«Частые вопросы»", "откройте меню", "в меню", "меню ниже", "клавиатур")


@pytest.fixture
async def fake(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[FakeMaxServer]:
    async with max_only_bot(db_path, sessionmaker, faq_service) as (server, _):
        yield server


def read_by(fake: FakeMaxServer) -> list[str]:
    """Every word the bot said to the mother: messages, press notices, pages it showed."""
    said = [m.plain for m in fake.sent_to(MOTHER)]
    for _, body in fake.answers:
        said.append(str(body.get("notification") or ""))
        said.append(str((body.get("message") or {}).get("text") or ""))
    return said


async def test_no_max_text_points_at_a_menu_max_does_not_have(fake: FakeMaxServer) -> None:
    welcome = await start(fake, MOTHER, None)
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    saved = (await fake.wait_sent(MOTHER, 2))[-1]
    assert "Родитель" in saved.plain
    (menu,) = await say(fake, MOTHER, "/menu")

    (nothing,) = await say(fake, MOTHER, "/cancel")
    assert nothing.plain.startswith("Отменять нечего") and texts.CANCELLED not in nothing.plain
    assert texts.BTN_CATEGORIES in labels(nothing)  # the «темы ниже» it points at
    topics = await answer_to(fake, fake.press(MOTHER, nothing, texts.BTN_CATEGORIES))
    assert "Выберите тему" in str(topics["message"]["text"])

    gone = await answer_to(fake, fake.press_payload(MOTHER, menu, "faq:cat:no.such.topic"))
    assert gone["notification"] == texts.FAQ_STALE_BUTTON
    assert "Выберите тему" in str(gone["message"]["text"])  # the topics, there and then

    (contacts,) = await say(fake, MOTHER, "/contacts")  # without a phone it names the button
    before = len(fake.sent_to(MOTHER))
    fake.press(MOTHER, contacts, texts.BTN_ASK_SHORT)  # «Спросить специалиста» is under it
    asked = (await fake.wait_sent(MOTHER, before + 1))[-1]
    assert asked.plain.startswith("Напишите ваш вопрос")
    await say(fake, MOTHER, "/cancel")

    (mine,) = await say(fake, MOTHER, "/my_events")  # «Откройте «Мероприятия»»: it is under it
    assert "«Мероприятия»" in mine.plain and texts.BTN_EVENTS in labels(mine)

    await say(fake, MOTHER, "?")
    await say(fake, MOTHER, UNKNOWN)
    await say(fake, MOTHER, "/ask")
    (cancelled,) = await say(fake, MOTHER, "/cancel")
    assert cancelled.plain == texts.CANCELLED  # a dialog was open: it is cancelled

    said = read_by(fake)
    assert not [text for text in said for gap in LACKING if gap.lower() in text.lower()]
