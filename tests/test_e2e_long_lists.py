"""Lists that could outgrow one Telegram message (4,096 characters), through the real bot:
the events list and /faq_drafts are paged, each page edited in place, every item reachable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.events import seed_event, seed_teacher

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TELEGRAM_LIMIT = 4096


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def leaf_through(
    h: BotHarness, user: FakeUser, first: SentMessage, marker: str, count: int
) -> tuple[set[int], SentMessage]:
    """Press «Дальше »» until it is gone; every page fits one message and replaces the last."""
    seen: set[int] = set()
    message = first
    for _ in range(count + 1):
        text = message.text or ""
        assert len(text) <= TELEGRAM_LIMIT
        seen |= {n for n in range(1, count + 1) if marker.format(n=n) in text}
        if texts.BTN_MORE_PAGE not in message.inline_texts:
            break
        h.server.press(message, texts.BTN_MORE_PAGE, user=user)
        await h.server.idle()
        message = h.server.messages[(user.id, first.message_id)]
        assert message.edit_date is not None  # edited in place, not a new message
    return seen, message


def errors_seen(h: BotHarness, user: FakeUser) -> list[str]:
    return [m.text for m in h.server.sent_to(user.id) if "что-то пошло не так" in (m.text or "")]


async def test_events_list_pages_stay_under_the_limit(harness: BotHarness) -> None:
    h = harness
    count = 20
    for n in range(1, count + 1):
        title = f"Событие {n:02d}: " + "очень длинное название мероприятия " * 6
        starts = datetime(2026, 12, 10, 7, tzinfo=UTC) + timedelta(days=n)
        await seed_event(h.sessionmaker, title=title[:200], starts_at=starts)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    first = await h.say(TEACHER, texts.BTN_EVENTS)
    assert "Событие 01:" in first.text and "Событие 20:" not in first.text
    seen, last = await leaf_through(h, TEACHER, first, "Событие {n:02d}:", count)
    assert seen == set(range(1, count + 1))
    assert "Событие 01:" not in last.text  # a page, not everything so far
    h.server.press(last, texts.BTN_PREV_PAGE, user=TEACHER)
    await h.server.idle()
    back = h.server.messages[(TEACHER.id, first.message_id)]
    assert "Событие 20:" not in back.text and texts.BTN_MORE_PAGE in back.inline_texts
    assert not errors_seen(h, TEACHER)


async def seed_drafts(h: BotHarness, count: int) -> None:
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for n in range(1, count + 1):
            answer = f"Ответ {n}: " + "подробный ответ специалиста " * 25
            await repo.faq_log.add_draft(None, f"Вопрос {n}: " + "и " * 300, answer, ADMIN.id)
        await repo.commit()


async def test_faq_drafts_are_paged_under_the_limit(harness: BotHarness) -> None:
    h = harness
    await seed_drafts(h, 12)
    first = await h.say(ADMIN, "/faq_drafts")
    assert "№12 (обращение" in first.text  # the newest first
    seen, last = await leaf_through(h, ADMIN, first, "№{n} (обращение", 12)
    assert seen == set(range(1, 13))
    assert texts.BTN_PREV_PAGE in last.inline_texts
    assert not errors_seen(h, ADMIN)


async def test_a_teacher_cannot_page_the_drafts(harness: BotHarness) -> None:
    h = harness
    await seed_drafts(h, 1)
    menu = await h.say(TEACHER, "/help")
    h.server.press_data(menu, "fqd:1", user=TEACHER)
    answer = await h.server.callback_answer()
    assert answer.params.get("text") == texts.ADMIN_ONLY
    assert not [m for m in h.server.sent_to(TEACHER.id) if "Вопрос 1" in (m.text or "")]
