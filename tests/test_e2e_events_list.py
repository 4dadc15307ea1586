"""The teachers' events list through the real bot: the type and month filters combine, and
dates carry the year when an event is not in the current one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from tests.conftest import TEACHER, BotHarness
from tests.fakes.telegram_api import SentMessage
from tests.helpers.events import seed_event, seed_teacher

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def choose(h: BotHarness, listing: SentMessage, button: str) -> SentMessage:
    """Press a button under the list; the list is edited in place."""
    h.server.press(listing, button, user=TEACHER)
    await h.server.idle()
    return h.server.messages[(TEACHER.id, listing.message_id)]


async def test_month_filter_keeps_the_type_filter(harness: BotHarness) -> None:
    h = harness
    sept = datetime(2027, 9, 15, 7, 0, tzinfo=UTC)
    await seed_event(h.sessionmaker, title="Семинар о программах", starts_at=sept)
    await seed_event(h.sessionmaker, title="Мастерская проектов", kind="workshop", starts_at=sept)
    await seed_event(
        h.sessionmaker, title="Семинар в октябре", starts_at=datetime(2027, 10, 5, 7, tzinfo=UTC)
    )
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    listing = await h.say(TEACHER, texts.BTN_EVENTS)
    view = await choose(h, listing, "🏷 Тип: Все типы")
    view = await choose(h, view, "Семинар")
    assert "Мастерская проектов" not in view.text and "Семинар в октябре" in view.text
    assert "🏷 Тип: Семинар" in view.inline_texts
    view = await choose(h, view, "📆 Месяц: Все месяцы")
    view = await choose(h, view, "Сентябрь 2027")
    assert "Семинар о программах" in view.text
    assert "Мастерская проектов" not in view.text and "Семинар в октябре" not in view.text
    assert "🏷 Тип: Семинар" in view.inline_texts
    assert "📆 Месяц: Сентябрь 2027" in view.inline_texts
    # and the other way round: changing the type keeps the month
    view = await choose(h, view, "🏷 Тип: Семинар")
    view = await choose(h, view, "Педагогическая мастерская")
    assert "Мастерская проектов" in view.text and "Семинар о программах" not in view.text
    assert "📆 Месяц: Сентябрь 2027" in view.inline_texts


async def test_dates_carry_the_year_when_it_is_not_this_one(harness: BotHarness) -> None:
    h = harness
    await seed_event(
        h.sessionmaker, title="В этом году", starts_at=datetime(2026, 12, 8, 12, tzinfo=UTC)
    )
    await seed_event(
        h.sessionmaker, title="Через год", starts_at=datetime(2027, 12, 8, 12, tzinfo=UTC)
    )
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    listing = await h.say(TEACHER, texts.BTN_EVENTS)
    assert "08.12 15:00 · Семинар\nВ этом году" in listing.text
    assert "08.12.2027 15:00 · Семинар\nЧерез год" in listing.text
    assert any(b.startswith("08.12.2027 15:00 · Через год") for b in listing.inline_texts)


async def test_the_chosen_month_carries_its_year_around_new_year(harness: BotHarness) -> None:
    """December 2026 and January 2027 in one list: the filter button names the year too, so
    «Январь» is never taken for the January just gone."""
    h = harness
    await seed_event(
        h.sessionmaker, title="Декабрьский", starts_at=datetime(2026, 12, 20, 7, tzinfo=UTC)
    )
    await seed_event(
        h.sessionmaker, title="Январский", starts_at=datetime(2027, 1, 20, 7, tzinfo=UTC)
    )
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    listing = await h.say(TEACHER, texts.BTN_EVENTS)
    view = await choose(h, listing, "📆 Месяц: Все месяцы")
    assert {"Декабрь 2026", "Январь 2027"} <= set(view.inline_texts)
    view = await choose(h, view, "Январь 2027")
    assert "Январский" in view.text and "Декабрьский" not in view.text
    assert "📆 Месяц: Январь 2027" in view.inline_texts
