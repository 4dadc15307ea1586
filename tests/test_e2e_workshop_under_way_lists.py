"""A workshop whose first meeting is held: «📅 Мероприятия» and «Мои записи» showed it under
that past day (and put it first, before a seminar sooner than its next meeting). A teacher
needs the meeting ahead — «занятие 2 из 3» — as a typed day already shows it, in both
messengers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.events.cards import short_when
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import TEACHER
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, labels, seed_max_teacher

NOW = datetime.now(UTC)


async def seed(h: Both) -> list[datetime]:
    """The workshop met two days ago and meets in 5 and 12 days; a seminar is in 3 days.
    Both teachers hold a seat at each."""
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    tz = h.settings.tz
    meetings = [
        (NOW + timedelta(days=d)).astimezone(tz).replace(hour=15, minute=0, second=0)
        for d in (-2, 5, 12)
    ]
    seminar_at = (NOW + timedelta(days=3)).astimezone(tz).replace(hour=11, minute=0, second=0)
    seminar_id = await seed_event(h.sessionmaker, starts_at=seminar_at, title="Семинар «Игры»")
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        workshop = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=meetings[0],
            duration_min=90, format="offline", place="МОЦ", capacity=20, taken=0,
            status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, meetings)
        await repo.commit()
        for event_id in (workshop.id, seminar_id):
            for who in (TEACHER.id, uid):
                await repo.events.register(event_id, who)
        await repo.commit()
    return meetings


async def tg_says(h: Both, text: str) -> tuple[str, list[str]]:
    h.tg.user_sends(text, user=TEACHER)
    message = await h.tg.next_message(TEACHER.id)
    return message.text, message.inline_texts


def shows_the_next_meeting(text: str, buttons: list[str], meetings: list[datetime]) -> None:
    this_year = NOW.astimezone(meetings[0].tzinfo).year
    first, second = (short_when(m, meetings[0].tzinfo, this_year) for m in meetings[:2])
    assert f"{second} · " in text and "занятие 2 из 3" in text, text
    assert first not in text, text  # not under its held first day
    assert text.index("Семинар «Игры»") < text.index("Мастерская «Проекты»")  # sooner first
    workshop = next(b for b in buttons if "Мастерская" in b)
    assert workshop.startswith(second), buttons


async def test_the_list_and_my_registrations_show_a_workshops_next_meeting(both: Both) -> None:
    h = both
    meetings = await seed(h)
    await h.start(TEACHER_MAX)

    for command in ("/events", "/my_events"):
        text, buttons = await tg_says(h, command)
        shows_the_next_meeting(text, buttons, meetings)
        in_max = await h.say(TEACHER_MAX, command)
        shows_the_next_meeting(in_max.plain, labels(in_max), meetings)
