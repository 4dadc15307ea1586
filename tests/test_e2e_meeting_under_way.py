"""A workshop meeting under way, in both messengers on a frozen clock: the typed day showed the
next meeting (or nothing) while «📅 Мероприятия» and «Мои записи» showed the one under way; and a
workshop whose last meeting had begun vanished from «📅 Мероприятия» though the teachers on it
still need its card (the place, the link) until it ends. Everything now reads one rule: a
meeting is shown until it ends; once nothing is ahead, only those seated at it still see it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FrozenClock
from bot.services.faq.service import FaqService
from storage.db import SessionMaker
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import TEACHER, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, labels, seed_max_teacher

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
STRANGER = FakeUser(id=2004, first_name="Ольга", last_name="Петрова")  # not signed up


def moscow(day: int) -> datetime:
    return datetime(2026, 12, day, 11, 30, tzinfo=UTC)  # 14:30 in Moscow, 90 minutes


@pytest.fixture
async def both(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq_service: FaqService,
) -> AsyncIterator[Both]:  # fmt: skip
    clock = FrozenClock(NOW)
    async with running_both(server, max_server, db_path, sessionmaker, faq_service, clock) as h:
        yield h


async def seed(h: Both, days: list[int]) -> None:
    """The workshop meets at 14:30 on `days` (the one on the 15th is under way); a seminar is
    on the 18th; both teachers hold a seat at each, the stranger at none."""
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, STRANGER, "Петрова Ольга Ивановна")
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    seminar = await seed_event(
        h.sessionmaker, starts_at=datetime(2026, 12, 18, 8, 0, tzinfo=UTC), title="Семинар «Игры»"
    )
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        workshop = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=moscow(days[0]),
            duration_min=90, format="offline", place="МОЦ, каб. 7", capacity=20, taken=0,
            status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, [moscow(d) for d in days])
        await repo.commit()
        for event_id in (workshop.id, seminar):
            for who in (TEACHER.id, uid):
                await repo.events.register(event_id, who)
        await repo.commit()


async def tg_says(h: Both, text: str, user: FakeUser = TEACHER) -> tuple[str, list[str]]:
    h.tg.user_sends(text, user=user)
    message = await h.tg.next_message(user.id)
    return message.text or "", message.inline_texts


async def both_say(h: Both, text: str) -> list[tuple[str, list[str]]]:
    in_max = await h.say(TEACHER_MAX, text)
    return [await tg_says(h, text), (in_max.plain, labels(in_max))]


async def test_a_typed_day_shows_the_meeting_under_way_as_the_lists_do(both: Both) -> None:
    h = both
    await seed(h, [1, 15, 22])
    await h.start(TEACHER_MAX)

    for command in ("/events", "/my_events", "15.12", "сегодня", "мероприятия 15 декабря"):
        for text, buttons in await both_say(h, command):
            assert "15.12 14:30" in text and "занятие 2 из 3" in text, (command, text)
            assert "22.12" not in text, (command, text)  # not the next meeting instead
            workshop = next(b for b in buttons if "Мастерская" in b)
            assert workshop.startswith("15.12 14:30"), (command, buttons)
            if command in ("/events", "/my_events"):  # under way: before the seminar ahead
                assert text.index("Мастерская") < text.index("Семинар «Игры»"), text

    for text, _ in await both_say(h, "22 декабря"):  # the next meeting's own day
        assert "22.12 14:30" in text and "занятие 3 из 3" in text, text


async def test_a_workshops_last_meeting_under_way_stays_listed_for_its_teachers(
    both: Both,
) -> None:
    h = both
    await seed(h, [1, 8, 15])
    await h.start(TEACHER_MAX)

    for text, buttons in await both_say(h, "/events"):
        assert "15.12 14:30" in text and "занятие 3 из 3" in text, text
        workshop = next(b for b in buttons if "Мастерская" in b)
        assert workshop.startswith("15.12 14:30"), buttons
    for text, _ in await both_say(h, "15.12"):
        assert "Мастерская «Проекты»" in text, text

    h.tg.user_sends("/events", user=TEACHER)
    listed = await h.tg.next_message(TEACHER.id)
    h.tg.press(listed, next(b for b in listed.inline_texts if "Мастерская" in b), user=TEACHER)
    await h.tg.wait_for("editMessageText")  # the list becomes the card
    card = h.tg.sent_to(TEACHER.id)[-1].text or ""
    assert "МОЦ, каб. 7" in card and "Вы: записаны" in card, card

    text, _ = await tg_says(h, "/events", STRANGER)  # nothing to join: not offered
    assert "Мастерская" not in text and "Семинар «Игры»" in text, text
    text, _ = await tg_says(h, "15.12", STRANGER)
    assert "Мастерская" not in text, text
