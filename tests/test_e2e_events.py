"""Teachers and events, through the real bot: find, register (profile + consent), .ics,
cancel, waiting list promotion, deep link, reminders at a controlled clock time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import Consent, Event, Registration, TeacherProfile, User
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, reminder_every_seconds=1)  # type: ignore[arg-type]


async def seed_event(sessionmaker: SessionMaker, capacity: int = 1, **kw: object) -> int:
    async with sessionmaker() as session:
        repo = Repositories(session)
        event = Event(
            title=kw.get("title", "Семинар «Программа & <карточка>»"),
            kind="seminar",
            starts_at=START,
            duration_min=90,
            format=kw.get("format", "offline"),
            place=kw.get("place", "ул. Ленина, 1, каб. 5"),
            capacity=capacity,
            registration_deadline=START - timedelta(days=1),
            description="Разберём структуру.",
        )
        await repo.events.add(event)
        await repo.commit()
        return event.id


async def seed_teacher(sessionmaker: SessionMaker, user: FakeUser, profile: bool = True) -> None:
    async with sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.touch(user.id, user.first_name, user.last_name, None)
        await repo.users.set_role(user.id, "teacher")
        if not profile:
            await repo.commit()
            return
        await repo.profiles.save(
            user.id,
            full_name="Петрова Ольга Ивановна",
            organisation="ДДТ",
            position="Методист",
            contact="+7 900 000-00-00",
            mailing_consent=False,
        )
        await repo.commit()


async def open_card(h: BotHarness, user: FakeUser, event_id: int) -> object:
    return await h.say(user, f"/start event_{event_id}")


async def test_teacher_finds_registers_with_consent_and_gets_ics(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=30)
    welcome = await h.say(TEACHER, "/start")
    menu = await h.press(TEACHER, welcome, "Педагог")
    assert texts.BTN_EVENTS in [b for row in menu.reply_keyboard for b in row]

    listing = await h.say(TEACHER, texts.BTN_EVENTS)
    assert "Программа &amp; &lt;карточка&gt;" not in listing.text  # shown as text, not escapes
    assert "Программа & <карточка>" in listing.text
    h.server.press(
        listing, next(b for b in listing.inline_texts if "10.12 15:00" in b), user=TEACHER
    )
    await h.server.idle()
    card = h.server.messages[(TEACHER.id, listing.message_id)]
    assert "15:00–16:30" in card.text and "осталось 30 из 30" in card.text

    consent = await h.press(TEACHER, card, "✅ Записаться")
    assert "152-ФЗ" in consent.text and "Шаг 1 из 5" in consent.text
    ask_name = await h.press(TEACHER, consent, "✅ Согласен(на)")
    assert "фамилию, имя и отчество" in ask_name.text
    assert "ФИО полностью" in (await h.say(TEACHER, "123")).text
    ask_org = await h.say(TEACHER, "Сидоров <b>Пётр</b> Ильич")
    assert "организац" in ask_org.text.lower()
    ask_pos = await h.say(TEACHER, "МБУ ДО «ДДТ» & филиал")
    ask_contact = await h.press(TEACHER, ask_pos, "Методист")
    assert ask_contact.reply_markup and "keyboard" in ask_contact.reply_markup
    retry = await h.say(TEACHER, "12345")
    assert "Не получилось распознать" in retry.text
    await h.say(TEACHER, "8 (900) 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    saved = await h.press(TEACHER, mailing, "Нет, спасибо")
    assert "Профиль сохранён" in saved.text
    confirmed = await h.server.next_message(TEACHER.id)
    assert "Вы записаны" in confirmed.text and "ул. Ленина" in confirmed.text
    ics = await h.server.next_message(TEACHER.id)
    assert ics.document is not None and ics.document.filename.endswith(".ics")
    assert b"DTSTART:20261210T120000Z" in ics.document.data

    async with h.sessionmaker() as session:
        profile = await session.get(TeacherProfile, TEACHER.id)
        consents = (await session.scalars(select(Consent))).all()
        taken = (await session.get(Event, event_id)).taken  # type: ignore[union-attr]
    assert profile is not None and profile.full_name == "Сидоров <b>Пётр</b> Ильич"
    assert profile.contact == "+7 900 123-45-67"
    assert [(c.kind, c.version) for c in consents] == [("personal_data", "2026-12-06.2")]
    assert taken == 1


async def test_refused_consent_stores_nothing(harness: BotHarness) -> None:
    event_id = await seed_event(harness.sessionmaker)
    await seed_teacher(harness.sessionmaker, TEACHER, profile=False)
    card = await open_card(harness, TEACHER, event_id)
    consent = await harness.press(TEACHER, card, "✅ Записаться")  # type: ignore[arg-type]
    refused = await harness.press(TEACHER, consent, "Не согласен(на)")
    assert "не сохранены" in refused.text
    async with harness.sessionmaker() as session:
        assert await session.get(TeacherProfile, TEACHER.id) is None
        assert (await session.scalar(select(func.count()).select_from(Registration))) == 0


async def test_full_event_waiting_list_promotion_and_double_tap(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER)
    await seed_teacher(h.sessionmaker, SECOND)

    card = await open_card(h, TEACHER, event_id)
    h.server.press(card, "✅ Записаться", user=TEACHER)  # type: ignore[arg-type]
    h.server.press(card, "✅ Записаться", user=TEACHER)  # type: ignore[arg-type]
    await h.server.idle(quiet=0.5)
    texts_sent = [m.text for m in h.server.sent_to(TEACHER.id)]
    assert sum("Вы записаны" in t for t in texts_sent) == 1
    assert any("уже записаны" in t for t in texts_sent)  # the second tap is told, not booked
    h.server.drain(TEACHER.id)

    other = await open_card(h, SECOND, event_id)
    assert "мест нет" in other.text  # type: ignore[attr-defined]
    waiting = await h.press(SECOND, other, "⏳ Встать в лист ожидания")  # type: ignore[arg-type]
    assert "листе ожидания" in waiting.text and "1-й" in waiting.text

    mine = await h.say(TEACHER, texts.BTN_MY_EVENTS)
    h.server.press(mine, mine.inline_texts[0], user=TEACHER)
    await h.server.idle()
    card_now = h.server.messages[(TEACHER.id, mine.message_id)]
    confirm = card_now
    h.server.press(confirm, "❌ Отменить запись", user=TEACHER)
    await h.server.idle()
    h.server.press(h.server.messages[(TEACHER.id, mine.message_id)], "Да, отменить", user=TEACHER)
    promoted = await h.server.next_message(SECOND.id)
    while "Освободилось место" not in promoted.text:
        promoted = await h.server.next_message(SECOND.id)
    assert "Семинар" in promoted.text
    async with h.sessionmaker() as session:
        statuses = dict(
            (r.user_id, r.status) for r in (await session.scalars(select(Registration))).all()
        )
    assert statuses == {TEACHER.id: "cancelled", SECOND.id: "registered"}


async def test_online_link_only_for_registered_and_reminders_fire_once(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_event(
        h.sessionmaker, capacity=5, format="online", place="https://zoom.example/j/123"
    )
    await seed_teacher(h.sessionmaker, TEACHER)
    card = await open_card(h, TEACHER, event_id)
    assert "zoom.example" not in card.text  # type: ignore[attr-defined]
    await h.press(TEACHER, card, "✅ Записаться")  # type: ignore[arg-type]
    await h.server.next_message(TEACHER.id)  # the .ics

    clock.set(START - timedelta(hours=23, minutes=50))
    reminder = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Напоминание" in reminder.text and "15:00" in reminder.text
    assert "zoom.example/j/123" in reminder.text
    await asyncio.sleep(2.5)  # two more scheduler passes: nothing new
    assert sum("Напоминание" in m.text for m in h.server.sent_to(TEACHER.id)) == 1

    clock.set(START - timedelta(minutes=55))
    hour = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через" in hour.text
    async with h.sessionmaker() as session:
        user = await session.get(User, TEACHER.id)
    assert user is not None and user.is_active


async def test_forged_event_callbacks(harness: BotHarness) -> None:
    menu = await harness.say(TEACHER, "/start")
    for data in ("ev:reg:999", "ev:cancel_yes:999", "ev:proof:abc", "evl:x:y:z"):
        harness.server.press_data(menu, data, user=TEACHER)
        answer = await harness.server.callback_answer()
        assert answer.params.get("text")


async def test_forget_me_frees_the_seat_and_deletes_the_profile(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER)
    await seed_teacher(h.sessionmaker, SECOND)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.events.register(event_id, TEACHER.id)
        await repo.events.register(event_id, SECOND.id)
        await repo.profiles.give_consent(TEACHER.id, "personal_data", "2026-11-25")
        await repo.commit()

    data = await h.say(TEACHER, "/my_data")
    assert "Петрова Ольга Ивановна" in data.text and "Записей на мероприятия: 1" in data.text
    confirm = await h.press(TEACHER, data, texts.BTN_FORGET)
    done = await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in done.text
    promoted = await h.server.next_message(SECOND.id)
    assert "Освободилось место" in promoted.text

    async with h.sessionmaker() as session:
        assert await session.get(TeacherProfile, TEACHER.id) is None
        assert await session.get(User, TEACHER.id) is None
        consent = (await session.scalars(select(Consent))).one()
        event = await session.get(Event, event_id)
    assert consent.withdrawn_at is not None
    assert event is not None and event.taken == 1


async def test_restarts_in_the_middle_of_the_profile_questionnaire_lose_nothing(
    harness: BotHarness, faq_service: FaqService
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=30)
    card = await open_card(h, TEACHER, event_id)
    consent = await h.press(TEACHER, card, "✅ Записаться")  # type: ignore[arg-type]
    assert "152-ФЗ" in consent.text
    await h.restart(faq_service)
    ask_name = await h.press(TEACHER, consent, "✅ Согласен(на)")
    assert "фамилию, имя и отчество" in ask_name.text
    await h.say(TEACHER, "Сидоров Пётр Ильич")
    await h.restart(faq_service)
    ask_pos = await h.say(TEACHER, "МБУ ДО «ДДТ»")  # the next step, not the FAQ
    assert "должность" in ask_pos.text.lower()
    await h.restart(faq_service)
    await h.press(TEACHER, ask_pos, "Методист")
    await h.restart(faq_service)
    await h.say(TEACHER, "8 (900) 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    await h.restart(faq_service)
    saved = await h.press(TEACHER, mailing, "Нет, спасибо")
    assert "Профиль сохранён" in saved.text
    assert "Вы записаны" in (await h.server.next_message(TEACHER.id)).text
    async with h.sessionmaker() as session:
        profile = await session.get(TeacherProfile, TEACHER.id)
    assert profile is not None and profile.full_name == "Сидоров Пётр Ильич"
    assert profile.organisation == "МБУ ДО «ДДТ»" and profile.position == "Методист"
