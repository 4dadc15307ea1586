"""A teacher's journey walked with hostile timing and input, in Telegram and in MAX: what
changes while the profile dialog is open, names that look like HTML, stale buttons."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot import texts
from bot.texts import events as t
from bot.texts import max as max_texts
from storage.db import SessionMaker
from storage.models import Event, EventStatus, Registration
from tests.conftest import TEACHER, BotHarness
from tests.helpers.events import register, registration_status, seed_event, seed_teacher
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    max_answer,
    max_form_to_position,
    press_and_wait,
    seed_max_teacher,
)
from tests.test_e2e_max_teachers import mailing_after
from tests.test_e2e_qa_teacher import held_event_with_a_queue, telegram_then_max


async def close_registration(sm: SessionMaker, event_id: int) -> None:
    """The registration deadline passes while the teacher is still answering."""
    async with sm() as session:
        past = datetime.now(UTC) - timedelta(minutes=1)
        await session.execute(
            update(Event).where(Event.id == event_id).values(registration_deadline=past)
        )
        await session.commit()


async def registrations(sm: SessionMaker) -> int:
    async with sm() as session:
        return int(await session.scalar(select(func.count()).select_from(Registration)) or 0)


async def form_to_phone(h: BotHarness, title: str) -> int:
    """A new Telegram teacher opens an event's card, presses «Записаться», agrees, types a
    name and an organisation and picks a position: the event's id (the phone is asked next)."""
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title=title)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    await h.say(TEACHER, "Сидоров Пётр Ильич")
    ask_pos = await h.say(TEACHER, "МБУ ДО «ДДТ»")
    await h.press(TEACHER, ask_pos, t.POSITIONS[0])
    return event_id


async def test_a_deadline_passing_during_the_profile_dialog_takes_no_seat(
    harness: BotHarness,
) -> None:
    h = harness
    event_id = await form_to_phone(h, "Семинар по проектам")
    await h.say(TEACHER, "8 (900) 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    await close_registration(h.sessionmaker, event_id)
    saved = await h.press(TEACHER, mailing, t.BTN_MAIL_NO)
    assert t.PROFILE_SAVED in saved.text
    told = await h.server.next_message(TEACHER.id)
    assert "Запись закончилась" in (told.text or "")
    assert await registrations(h.sessionmaker) == 0


async def test_a_deadline_passing_during_the_max_profile_dialog_takes_no_seat(
    both: Both,
) -> None:
    h = both
    event_id, position = await max_form_to_position(h, "Семинар по проектам")
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    mailing = await mailing_after(h, "+7 900 123-45-67", share=False)
    await close_registration(h.sessionmaker, event_id)
    saved, told = await press_and_wait(h, mailing, t.BTN_MAIL_NO, 2)
    assert t.PROFILE_SAVED in saved.plain
    assert "Запись закончилась" in told.plain
    assert await registrations(h.sessionmaker) == 0


async def cancel_the_event(sm: SessionMaker, event_id: int) -> None:
    """Staff call the event off; the registrations stay as they were, told by the notice."""
    async with sm() as session:
        await session.execute(
            update(Event).where(Event.id == event_id).values(status=EventStatus.CANCELLED)
        )
        await session.commit()


async def test_an_old_cancel_button_of_a_called_off_event_promotes_nobody_in_telegram(
    both: Both,
) -> None:
    """The first in line would be told «Вы записаны» to an event that is not going to be."""
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    (reg_id, outcome), waiting = await telegram_then_max(h, event_id)
    assert outcome == "registered"
    assert waiting.outcome == "waiting"
    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    await cancel_the_event(h.sessionmaker, event_id)
    before = len(h.max.sent_to(TEACHER_MAX))

    update_ = h.tg.press_data(card, f"ev:cancel_yes:{event_id}", user=TEACHER)
    query_id = update_["callback_query"]["id"]
    answer = await h.tg.wait_for(
        "answerCallbackQuery", lambda call: call.params.get("callback_query_id") == query_id
    )
    assert answer.params.get("text") == t.CANCEL_EVENT_OFF
    await asyncio.sleep(1)
    assert len(h.max.sent_to(TEACHER_MAX)) == before  # no «Вы записаны» to a cancelled event
    assert await registration_status(h.sessionmaker, waiting.registration.id) == "waiting"
    assert await registration_status(h.sessionmaker, reg_id) == "registered"


async def test_an_old_cancel_button_of_a_called_off_event_promotes_nobody_in_max(
    both: Both,
) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await press_and_wait(h, shown, t.BTN_REGISTER, 2)  # «Вы записаны», the .ics (card edited)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, outcome = await register(h.sessionmaker, event_id, TEACHER)
    assert outcome == "waiting"
    await cancel_the_event(h.sessionmaker, event_id)

    callback = h.max.press_payload(TEACHER_MAX, shown, f"ev:cancel_yes:{event_id}")
    assert await max_answer(h, callback) == t.CANCEL_EVENT_OFF
    await asyncio.sleep(1)
    assert not h.tg.sent_to(TEACHER.id)  # no «Вы записаны» to a cancelled event
    assert await registration_status(h.sessionmaker, reg_id) == "waiting"


async def test_forget_me_after_an_event_took_place_does_not_seat_the_waiting_list(
    both: Both,
) -> None:
    """/forget_me cancels the person's registrations; one of an event already held must not
    hand its seat on: the first in line would get «Вы записаны» to the past."""
    h = both
    held = datetime.now(UTC) - timedelta(days=2)
    _, waiting_id = await held_event_with_a_queue(h, held)
    before = len(h.max.sent_to(TEACHER_MAX))

    h.tg.user_sends("/forget_me", user=TEACHER)
    confirm = await h.tg.next_message(TEACHER.id)
    h.tg.press(confirm, texts.BTN_FORGET_YES, user=TEACHER)
    done = await h.tg.next_message(TEACHER.id)
    assert "удалены" in (done.text or "")
    await asyncio.sleep(1)
    assert len(h.max.sent_to(TEACHER_MAX)) == before
    assert await registration_status(h.sessionmaker, waiting_id) == "waiting"


async def test_double_taps_in_the_max_profile_dialog_do_not_say_start_again(both: Both) -> None:
    """A second tap on «Согласен(на)» mid-dialog, or on «Нет, спасибо» after «Вы записаны»,
    told the teacher «Анкета устарела — начните запись заново» (Telegram shows nothing in
    the chat): they would start over for a seat they already have. Now it is a short notice
    on the press: mid-dialog «Анкета уже открыта — ответьте на вопрос выше», after the end
    «Кнопка устарела», as in Telegram."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    first = h.max.press(TEACHER_MAX, consent, t.BTN_CONSENT_YES)
    second = h.max.press(TEACHER_MAX, consent, t.BTN_CONSENT_YES)
    assert await max_answer(h, first) == ""
    assert await max_answer(h, second) == t.FORM_OPEN
    await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
    position = await h.say(TEACHER_MAX, "МБОУ СОШ № 2")
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    mailing = await mailing_after(h, "+7 900 123-45-67", share=False)
    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.press(TEACHER_MAX, mailing, t.BTN_MAIL_NO)
    again = h.max.press(TEACHER_MAX, mailing, t.BTN_MAIL_NO)
    assert await max_answer(h, again) == max_texts.STALE_BUTTON
    await asyncio.sleep(1)
    said = [m.plain for m in h.max.sent_to(TEACHER_MAX)]
    assert t.PROFILE_DIALOG_STALE not in said
    assert [t.PROFILE_SAVED in s for s in said[before:]].count(True) == 1
    assert await registrations(h.sessionmaker) == 1


TYPOGRAPHIC_PHONE = "8\u00a0(900)\u00a0123\u201345\u201367"  # Word's dashes and spaces
NON_BREAKING_PHONE = "+7 900 123\u201145\u201167"  # a phone app's non-breaking hyphens


async def test_a_phone_with_typographic_dashes_is_read_in_telegram(harness: BotHarness) -> None:
    """A number copied from a document or a contact card comes with «–» or «‑»: the teacher
    was asked again and again for a number that is right."""
    h = harness
    await form_to_phone(h, "Семинар")
    read = await h.say(TEACHER, TYPOGRAPHIC_PHONE)
    assert "Контакт: +7 900 123-45-67" in (read.text or "")


async def test_a_phone_with_typographic_dashes_is_read_in_max(both: Both) -> None:
    h = both
    _, position = await max_form_to_position(h)
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    read = await h.say(TEACHER_MAX, NON_BREAKING_PHONE, count=2)
    assert "Контакт: +7 900 123-45-67" in read.plain


async def test_a_town_landline_is_shown_as_it_is_written_in_telegram(
    harness: BotHarness,
) -> None:
    """A four-digit town code: «8 (3912) 12-34-56» came back as «+7 391 212-34-56», a
    grouping nobody writes, and the teacher wondered whether the number was read right."""
    h = harness
    await form_to_phone(h, "Семинар")
    read = await h.say(TEACHER, "8 (3912) 12-34-56")
    assert "Контакт: +7 3912 12-34-56" in (read.text or ""), read.text


async def test_a_town_landline_is_shown_as_it_is_written_in_max(both: Both) -> None:
    h = both
    _, position = await max_form_to_position(h)
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    read = await h.say(TEACHER_MAX, "+7 3519 55-66-77", count=2)
    assert "Контакт: +7 3519 55-66-77" in read.plain, read.plain


async def test_the_card_of_a_called_off_event_offers_no_cancel_in_either_messenger(
    both: Both,
) -> None:
    """«Мероприятие отменено» with «❌ Отменить запись» under it: a button with nothing to do."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар")
    await telegram_then_max(h, event_id)
    await cancel_the_event(h.sessionmaker, event_id)

    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    assert "отменено" in (card.text or "")
    assert t.BTN_CANCEL_REG not in card.inline_texts
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert "отменено" in shown.plain
    assert t.BTN_CANCEL_REG not in [b["text"] for row in shown.buttons() for b in row]


async def move_start(sm: SessionMaker, event_id: int, starts_at: datetime) -> None:
    async with sm() as session:
        moved = update(Event).where(Event.id == event_id).values(starts_at=starts_at)
        await session.execute(moved)
        await session.commit()


async def test_an_old_register_button_says_the_event_is_under_way_not_over(
    harness: BotHarness,
) -> None:
    """QA: «Записаться» pressed ten minutes into a 90-minute seminar said «уже прошло»."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар по проектам")
    card = await h.say(TEACHER, f"/start event_{event_id}")
    await move_start(h.sessionmaker, event_id, datetime.now(UTC) - timedelta(minutes=10))
    h.server.press(card, t.BTN_REGISTER, user=TEACHER)
    told = (await h.server.callback_answer()).params
    assert told.get("text") == t.REG_UNDER_WAY and told.get("show_alert")
    assert await registrations(h.sessionmaker) == 0


async def test_an_old_register_button_of_a_called_off_event_says_so_in_max(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Мастер-класс по ТРИЗ")
    card = await h.start(TEACHER_MAX, f"event_{event_id}")
    await cancel_the_event(h.sessionmaker, event_id)
    callback = await h.press(TEACHER_MAX, card, t.BTN_REGISTER)
    assert await max_answer(h, callback) == t.REG_EVENT_OFF
    assert await registrations(h.sessionmaker) == 0
