"""What a teacher in MAX notices on the way: a full seminar's card does not offer the waiting
list to who already holds the last seat, and every step of the first-time form says which
step it is."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.texts import events as t
from storage.models import Registration, RegistrationStatus, Ticket, User
from storage.repositories import Repositories
from tests.helpers.events import seed_event
from tests.helpers.max_both import (
    MOTHER,
    SOON,
    TEACHER_MAX,
    Both,
    max_answer,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
    wait_edited,
)
from tests.test_e2e_max_teachers import mailing_after


async def test_who_took_the_last_seat_is_not_offered_the_waiting_list(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert t.SEATS_LEFT.format(left=1, capacity=1) in shown.plain
    edits = shown.edits
    await press_and_wait(h, shown, t.BTN_REGISTER, 2)  # the confirmation and the .ics
    card = await wait_edited(shown, edits)  # and the card itself tells the seat
    assert "Вы: записаны" in card.plain
    assert "мест нет" in card.plain and "лист ожидания" not in card.plain, card.plain


async def test_the_form_numbers_every_step_and_writes_a_lowercase_name_as_a_name(
    both: Both,
) -> None:
    """«иванова мария петровна» typed on a phone goes into the participation document and the
    participants' list as «Иванова Мария Петровна»."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар для новичков")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    assert "Шаг 1 из 5" in consent.plain
    (first,) = await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    assert "Шаг 2 из 5" in first.plain
    org = await h.say(TEACHER_MAX, "соколова  марина ивановна")
    assert "Шаг 3 из 5" in org.plain, org.plain
    position = await h.say(TEACHER_MAX, "МБОУ СОШ № 2")
    (contact,) = await press_and_wait(h, position, t.POSITIONS[0], 1)
    assert "Шаг 5 из 5" in contact.plain
    mailing = await mailing_after(h, "+7 900 123-45-67", share=False)
    await press_and_wait(h, mailing, t.BTN_MAIL_NO, 3)  # saved, registered, .ics
    shown = await h.say(TEACHER_MAX, "/profile")
    assert "Соколова Марина Ивановна" in shown.plain, shown.plain


async def test_a_teacher_in_max_finds_the_events_from_the_menu(both: Both) -> None:
    """MAX has no reply keyboard: «📅 Мероприятия» and «📝 Мои записи» come as buttons under
    the role's greeting and /menu, as Telegram's menu gives them; a parent's menu has none."""
    h = both
    await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о наставничестве")
    welcome = await h.start(TEACHER_MAX)
    (saved,) = await press_and_wait(h, welcome, texts.ROLE_TITLES["teacher"], 1)
    (listing,) = await press_and_wait(h, saved, texts.BTN_EVENTS, 1)
    assert "Семинар о наставничестве" in listing.plain
    menu = await h.say(TEACHER_MAX, "/menu")
    (mine,) = await press_and_wait(h, menu, texts.BTN_MY_EVENTS, 1)
    assert t.MY_EMPTY.split(".")[0] in mine.plain

    welcome = await h.start(MOTHER)
    h.max.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    saved = (await h.max.wait_sent(MOTHER, 2))[-1]
    assert texts.BTN_EVENTS not in [b["text"] for row in saved.buttons() for b in row]


async def test_otmena_typed_instead_of_the_question_cancels_in_max(both: Both) -> None:
    h = both
    await h.start(MOTHER)
    await h.say(MOTHER, "/ask")
    cancelled = await h.say(MOTHER, "отмена")
    assert cancelled.plain == texts.CANCELLED, cancelled.plain  # Telegram's words
    await asyncio.sleep(0.5)
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Ticket))).first() is None


async def test_menu_typed_as_a_word_opens_the_menu_in_max(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await h.start(TEACHER_MAX)
    shown = await h.say(TEACHER_MAX, "Меню")
    assert shown.plain == texts.MENU, shown.plain
    assert texts.BTN_EVENTS in [b["text"] for row in shown.buttons() for b in row]


async def test_a_started_event_cannot_be_cancelled_in_max(both: Both) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    started = datetime.now(UTC) - timedelta(hours=3)
    event_id = await seed_event(h.sessionmaker, starts_at=started, title="Прошедший семинар")
    async with h.sessionmaker() as session:
        await Repositories(session).events.register(event_id, uid)
        await session.commit()
    await h.start(TEACHER_MAX)
    mine = await h.say(TEACHER_MAX, "/my_events")
    card = await press_to_edit(h, mine, mine.buttons()[0][0]["text"])
    labels = [b["text"] for row in card.buttons() for b in row]
    assert t.BTN_CANCEL_REG not in labels and t.BTN_ICS not in labels, labels

    callback = h.max.press_payload(TEACHER_MAX, card, f"ev:cancel_yes:{event_id}")
    assert await max_answer(h, callback) == t.CANCEL_STARTED
    async with h.sessionmaker() as session:
        status = (await session.scalars(select(Registration.status))).one()
    assert status == RegistrationStatus.REGISTERED


async def test_a_parent_in_max_subscribes_to_news_and_unsubscribes(both: Both) -> None:
    """/subscribe and /unsubscribe as in Telegram (MAX private subscribers get broadcasts)."""
    h = both
    welcome = await h.start(MOTHER)
    h.max.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    await h.max.wait_sent(MOTHER, 2)
    subscribed = await h.say(MOTHER, "/subscribe")
    assert "Вы подписаны на новости" in subscribed.plain, subscribed.plain
    async with h.sessionmaker() as session:
        uid = (await session.scalars(select(User.id).where(User.id > 2**60))).one()
        assert await Repositories(session).chats.subscriptions(uid) == ["parents"]
    unsubscribed = await h.say(MOTHER, "/unsubscribe")
    assert "Вы отписались" in unsubscribed.plain, unsubscribed.plain


async def test_contacts_in_max(both: Both) -> None:
    """/contacts, as in Telegram (it fell to the FAQ)."""
    h = both
    await h.start(MOTHER)
    shown = await h.say(MOTHER, "/contacts")
    assert shown.plain.startswith("📇 " + h.settings.moc_name), shown.plain
