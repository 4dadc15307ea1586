"""A teacher in MAX finding and attending МОЦ seminars — what an outside QA pass found: a card
or the list offering the waiting list once registration is over, and a confirmation promising
reminders «за сутки и за час» when the МОЦ set other lead times. Over the fake MAX server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import texts
from bot.services.faq import FaqService
from bot.texts import events as t
from storage.db import SessionMaker
from storage.models import Event, EventSession, EventStatus, TeacherProfile
from storage.repositories import Repositories
from tests.conftest import running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import Message
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_event
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    labels,
    max_answer,
    max_form_to_position,
    press_and_wait,
    seed_max_teacher,
)


async def test_a_full_seminar_past_its_deadline_offers_no_waiting_list(both: Both) -> None:
    """The deadline passed yesterday; the seminar is full and a week ahead. The card has no
    «Встать в лист ожидания» button, so it must not say «можно встать в лист ожидания», and
    «Запись до <yesterday>» reads as if registration were still open."""
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    deadline = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    event_id = await seed_event(
        h.sessionmaker, capacity=1, taken=1, starts_at=SOON, registration_deadline=deadline,
        title="Мастер-класс «Квиллинг»",
    )  # fmt: skip

    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert "Квиллинг" in shown.plain
    assert t.BTN_WAITLIST not in labels(shown) and t.BTN_REGISTER not in labels(shown)
    assert "лист ожидания" not in shown.plain
    assert "Запись до" not in shown.plain and "Запись закончилась" in shown.plain

    listing = await h.say(TEACHER_MAX, "/events")
    assert "Квиллинг" in listing.plain and "лист ожидания" not in listing.plain


async def test_an_open_full_seminar_still_offers_the_waiting_list(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    deadline = SOON - timedelta(days=1)
    event_id = await seed_event(
        h.sessionmaker, capacity=1, taken=1, starts_at=SOON, registration_deadline=deadline
    )
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert t.BTN_WAITLIST in labels(shown) and "можно встать в лист ожидания" in shown.plain
    assert "Запись до" in shown.plain


@pytest.fixture
async def both_short_leads(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, reminder_leads_min=(180, 30)
    ) as h:
        yield h


async def test_the_confirmation_names_the_reminders_the_moc_set(both_short_leads: Both) -> None:
    """REMINDER_LEADS_MIN=180,30: the bot reminds 3 hours and 30 minutes ahead, so «Напомню
    за сутки и за час» would send the teacher to wait for a reminder that never comes."""
    h = both_short_leads
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Наставники»")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    confirmation, _ics = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert "Вы записаны" in confirmation.plain
    assert "за сутки" not in confirmation.plain
    assert "Напомню за 3 часа и за 30 минут" in confirmation.plain


async def test_the_default_confirmation_still_says_a_day_and_an_hour(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    confirmation, _ics = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert "Напомню за сутки и за час" in confirmation.plain


async def test_a_workshop_under_way_is_not_called_over(both: Both) -> None:
    """Three meetings a week apart; the first was two days ago. An old «Записаться» said «Это
    мероприятие уже прошло» with two meetings ahead, and the card, still in the list, gave
    no reason why it has no «Записаться»."""
    h = both
    days = [SOON + timedelta(days=7 * n) for n in range(3)]
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        workshop = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=days[0], duration_min=90,
            format="offline", place="ул. Ленина, 1", capacity=5, taken=0,
            status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, days)
        await repo.commit()
        event_id = workshop.id
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    old = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert t.BTN_REGISTER in labels(old)

    began = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    async with h.sessionmaker() as session:
        await session.execute(update(Event).where(Event.id == event_id).values(starts_at=began))
        first = EventSession.starts_at == days[0]
        await session.execute(
            update(EventSession).where(EventSession.event_id == event_id, first)
            .values(starts_at=began)
        )  # fmt: skip
        await session.commit()

    callback = await h.press(TEACHER_MAX, old, t.BTN_REGISTER)
    told = await max_answer(h, callback)
    assert told == t.REG_UNDER_WAY, told

    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert "Проекты" in shown.plain and t.BTN_REGISTER not in labels(shown)
    assert t.REG_UNDER_WAY in shown.plain
    assert "лист ожидания" not in shown.plain


async def test_a_phone_copied_from_a_phones_contacts_is_read(both: Both) -> None:
    """A number copied from an iPhone's contact card comes wrapped in invisible direction
    marks (U+202D … U+202C): the teacher saw a right number refused again and again. A name
    typed in lower case is saved as a name is written (the participation document)."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Наставники»")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    await h.say(TEACHER_MAX, "соколова марина ивановна")
    position = await h.say(TEACHER_MAX, "МБОУ СОШ № 2")
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    read = await h.say(TEACHER_MAX, "\u202d+7 (912) 345-67-89\u202c", count=2)
    assert "Контакт: +7 912 345-67-89" in read.plain, read.plain

    saved, confirmation, _ics = await press_and_wait(h, last(h), t.BTN_MAIL_NO, 3)
    assert t.PROFILE_SAVED in saved.plain and "Вы записаны" in confirmation.plain
    async with h.sessionmaker() as session:
        profile = (await session.scalars(select(TeacherProfile))).one()
    assert profile.full_name == "Соколова Марина Ивановна"
    assert profile.contact == "+7 912 345-67-89"


def last(h: Both) -> Message:
    return h.max.sent_to(TEACHER_MAX)[-1]


async def test_after_the_form_a_max_teacher_gets_the_door_to_my_registrations(
    both: Both,
) -> None:
    """«Отменить запись можно в «Мои записи»», says the confirmation; Telegram's «Профиль
    сохранён» comes with the menu holding «📝 Мои записи», MAX's came with nothing — and MAX
    has no keyboard under the input, so a newcomer had no «Мои записи» anywhere."""
    h = both
    _, position = await max_form_to_position(h, title="Семинар «Наставники»")
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    await h.say(TEACHER_MAX, "8 (912) 345-67-89", count=2)
    saved, confirmation, _ics = await press_and_wait(h, last(h), t.BTN_MAIL_YES, 3)
    assert "«Мои записи»" in confirmation.plain
    assert texts.BTN_MY_EVENTS in labels(saved), labels(saved)
    (mine,) = await press_and_wait(h, saved, texts.BTN_MY_EVENTS, 1)
    assert "Ваши записи" in mine.plain and "Наставники" in mine.plain


async def test_registering_on_the_day_promises_no_reminder_a_day_ahead(both: Both) -> None:
    """A seminar in five hours: the day-ahead reminder will never come (the bot skips one
    more than half its lead late), so «Напомню за сутки и за час» promised one too many."""
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)
    event_id = await seed_event(h.sessionmaker, starts_at=soon, title="Семинар «Сегодня»")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    confirmation, _ics = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert "Напомню за час." in confirmation.plain, confirmation.plain

    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=20)
    other = await seed_event(h.sessionmaker, starts_at=later, title="Вебинар «Сейчас»")
    shown = await h.start(TEACHER_MAX, f"event_{other}")
    confirmation, _ics = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert "Вы записаны" in confirmation.plain and "Напомню" not in confirmation.plain
