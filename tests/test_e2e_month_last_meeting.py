"""A workshop whose only meeting left is its last: the month menu offers its month wherever
the list, «Мои записи» and the day view show it.

A registered teacher during the last meeting of a December–January workshop (its place and
link still needed): «📅 Мероприятия», «Мои записи» and «12 января» showed the workshop, but
«📆 Месяц» offered no «Январь 2027» — the months were read for nobody in particular, and for
nobody a workshop whose last meeting has begun is listed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.services.events.listing import month_label
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.events import register, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, labels, seed_max_teacher
from tests.helpers.wait import until
from tests.test_e2e_qa_remind import seed_workshop

DEC = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
JAN = datetime(2027, 1, 12, 12, 0, tzinfo=UTC)
OTHER = FakeUser(id=2003, first_name="Ольга", last_name="Кузнецова")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(JAN + timedelta(minutes=30))  # the last meeting under way


async def choose(h: BotHarness, user: FakeUser, listing: SentMessage, button: str) -> SentMessage:
    h.server.press(listing, button, user=user)
    await h.server.idle()
    return h.server.messages[(user.id, listing.message_id)]


async def test_the_month_of_the_last_meeting_under_way_is_offered_to_its_participant(
    harness: BotHarness,
) -> None:
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [DEC, JAN])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, OTHER, "Кузнецова Ольга Ивановна")
    await register(h.sessionmaker, event_id, TEACHER)

    mine = await h.say(TEACHER, texts.BTN_MY_EVENTS)
    assert "Робототехника" in (mine.text or "")
    day = await h.say(TEACHER, "12 января")
    assert "Робототехника" in (day.text or "")
    listing = await h.say(TEACHER, texts.BTN_EVENTS)
    assert "Робототехника" in (listing.text or "")
    months = await choose(h, TEACHER, listing, "📆 Месяц: Все месяцы")
    assert "Январь 2027" in months.inline_texts
    january = await choose(h, TEACHER, months, "Январь 2027")
    assert "Робототехника" in (january.text or "")
    typed = await h.say(TEACHER, "мастерская в январе")
    assert "Робототехника" in (typed.text or "")

    # a teacher not registered sees it nowhere, the month menu included
    listing = await h.say(OTHER, texts.BTN_EVENTS)
    assert "Робототехника" not in (listing.text or "")
    months = await choose(h, OTHER, listing, "📆 Месяц: Все месяцы")
    assert "Январь 2027" not in months.inline_texts


async def test_the_same_in_max(both: Both) -> None:
    """MAX: the list and the month menu of the teacher in the workshop's last meeting."""
    h = both
    now = datetime.now(UTC).replace(microsecond=0)
    last = now - timedelta(minutes=30)  # under way (90 minutes)
    event_id = await seed_workshop(h.sessionmaker, [last - timedelta(days=7), last])
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()
    await h.start(TEACHER_MAX)
    month = month_label(int(f"{last.astimezone(h.settings.tz):%Y%m}"))

    listing = await h.say(TEACHER_MAX, "/events")
    assert "Робототехника" in listing.plain
    edits = listing.edits
    await h.press(TEACHER_MAX, listing, "📆 Месяц: Все месяцы")
    await until(lambda: listing.edits > edits, 15, "the month menu")
    assert month in labels(listing)
