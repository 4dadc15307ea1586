"""A teacher who names the kind of event in words gets the list of that kind, in Telegram and
MAX: «записаться на вебинар» listed every seminar and master-class too (the type filter left at
«Все типы»), «мастер-класс по робототехнике в марте» every event of March. Now the list opens
with that type chosen (the filter button says so and changes it); a kind with nothing planned
gives every kind rather than an empty list.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from tests.conftest import TEACHER, BotHarness
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, labels, seed_max_teacher

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def seed(h: BotHarness | Both, base: datetime) -> None:
    sm = h.sessionmaker
    await seed_event(sm, title="Вебинар «ФГОС»", kind="webinar", starts_at=base)
    await seed_event(sm, title="Семинар «Наставничество»", starts_at=base + timedelta(days=1))
    march = datetime(base.year + 1, 3, 10, 11, 0, tzinfo=UTC)
    robots = "Мастер-класс «Робототехника»"
    await seed_event(sm, title=robots, kind="master_class", starts_at=march)
    await seed_event(sm, title="Семинар «Весна»", starts_at=march + timedelta(days=1))


async def test_the_kind_named_is_the_list_shown(harness: BotHarness) -> None:
    h = harness
    await seed(h, NOW + timedelta(days=2))
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")

    webinars = await h.say(TEACHER, "записаться на вебинар")
    assert "Вебинар «ФГОС»" in (webinars.text or "")
    assert "Семинар" not in (webinars.text or "") and "Мастер-класс" not in (webinars.text or "")
    assert "🏷 Тип: Вебинар" in webinars.inline_texts

    march = await h.say(TEACHER, "мастер-класс по робототехнике в марте")
    assert "Мастер-класс «Робототехника»" in (march.text or "")
    assert "Семинар «Весна»" not in (march.text or "")
    assert "🏷 Тип: Мастер-класс" in march.inline_texts
    assert "📆 Месяц: Март 2027" in march.inline_texts

    workshops = await h.say(TEACHER, "хочу на мастерскую")  # none planned: every kind
    assert "Вебинар «ФГОС»" in (workshops.text or "") and "Семинар" in (workshops.text or "")
    assert "🏷 Тип: Все типы" in workshops.inline_texts


async def test_the_same_in_max(both: Both) -> None:
    h = both
    await seed(h, datetime.now(UTC).replace(microsecond=0) + timedelta(days=2))
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await h.start(TEACHER_MAX)
    webinars = await h.say(TEACHER_MAX, "записаться на вебинар")
    assert "Вебинар «ФГОС»" in webinars.plain and "Семинар" not in webinars.plain
    assert "🏷 Тип: Вебинар" in labels(webinars)
