"""A second way into the teacher's form while it is open, in Telegram and MAX: a double tap
on «Записаться» (or «Изменить профиль»), a tap on another event's card, with or without a
restart of the bot between the taps, asks the consent once; the form then registers the
teacher once, for the event tapped last."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.services.faq import FaqService
from bot.services.profile import entry
from bot.texts import events as t
from storage.db import SessionMaker
from storage.models import Registration
from tests.conftest import TEACHER, BotHarness
from tests.fakes.max_model import Message
from tests.fakes.telegram_api import SentMessage
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    labels,
    max_answer,
    press_and_wait,
    seed_max_teacher,
)
from tests.test_e2e_max_teachers import mailing_after

CONSENT_STEP = "Шаг 1 из 5"


async def seats(sm: SessionMaker) -> list[tuple[int, str]]:
    """Every registration as (event id, status)."""
    async with sm() as session:
        rows = (await session.execute(select(Registration.event_id, Registration.status))).all()
        return [(int(e), str(s)) for e, s in rows]


def tg_consents(h: BotHarness) -> list[SentMessage]:
    return [m for m in h.server.sent_to(TEACHER.id) if CONSENT_STEP in (m.text or "")]


def max_consents(h: Both) -> list[Message]:
    return [m for m in h.max.sent_to(TEACHER_MAX) if CONSENT_STEP in m.plain]


async def tg_card(h: BotHarness, event_id: int) -> SentMessage:
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:  # a newcomer also gets «Кто вы?»
        card = await h.server.next_message(TEACHER.id)
    return card


async def tg_walk_form(h: BotHarness, consent: SentMessage) -> str:
    """Agree and answer every step; the text of the registration's confirmation."""
    await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    await h.say(TEACHER, "Сидоров Пётр Ильич")
    ask_pos = await h.say(TEACHER, "МБУ ДО «ДДТ»")
    await h.press(TEACHER, ask_pos, t.POSITIONS[0])
    await h.say(TEACHER, "8 (900) 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    saved = await h.press(TEACHER, mailing, t.BTN_MAIL_NO)
    assert t.PROFILE_SAVED in saved.text
    return (await h.server.next_message(TEACHER.id)).text or ""


async def test_a_double_tap_on_register_asks_the_consent_once_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о проектах")
    card = await tg_card(h, event_id)
    h.server.press(card, t.BTN_REGISTER, user=TEACHER)
    h.server.press(card, t.BTN_REGISTER, user=TEACHER)
    await h.server.idle()
    (consent,) = tg_consents(h)
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == t.FORM_OPEN)
    h.server.drain(TEACHER.id)
    confirmed = await tg_walk_form(h, consent)
    assert "Вы записаны" in confirmed and "Семинар о проектах" in confirmed
    assert await seats(h.sessionmaker) == [(event_id, "registered")]


async def test_a_tap_on_another_card_moves_the_open_form_to_it_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    first = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о проектах")
    last = await seed_event(h.sessionmaker, starts_at=SOON, title="Мастерская наставников")
    card_first, card_last = await tg_card(h, first), await tg_card(h, last)
    h.server.press(card_first, t.BTN_REGISTER, user=TEACHER)
    h.server.press(card_last, t.BTN_REGISTER, user=TEACHER)
    await h.server.idle()
    (consent,) = tg_consents(h)
    told = await h.server.wait_for(
        "answerCallbackQuery", lambda c: "Мастерская наставников" in str(c.params.get("text"))
    )
    assert told.params.get("show_alert") in (True, "true")
    h.server.drain(TEACHER.id)
    confirmed = await tg_walk_form(h, consent)
    assert "Мастерская наставников" in confirmed
    assert await seats(h.sessionmaker) == [(last, "registered")]


async def test_a_restart_between_the_taps_still_asks_once_in_telegram(
    harness: BotHarness, faq_service: FaqService
) -> None:
    """The open form is in the persisted dialog state, so the bot after a restart knows it."""
    h = harness
    first = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о проектах")
    last = await seed_event(h.sessionmaker, starts_at=SOON, title="Мастерская наставников")
    card_first, card_last = await tg_card(h, first), await tg_card(h, last)
    consent = await h.press(TEACHER, card_first, t.BTN_REGISTER)
    await h.restart(faq_service)
    h.server.press(card_last, t.BTN_REGISTER, user=TEACHER)
    await h.server.idle()
    assert tg_consents(h) == [consent]
    await h.server.wait_for(
        "answerCallbackQuery", lambda c: "Мастерская наставников" in str(c.params.get("text"))
    )
    h.server.drain(TEACHER.id)
    assert "Мастерская наставников" in await tg_walk_form(h, consent)
    assert await seats(h.sessionmaker) == [(last, "registered")]


async def test_a_double_tap_on_edit_profile_asks_the_consent_once_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    shown = await h.say(TEACHER, "/profile")
    h.server.press(shown, t.BTN_PROFILE_EDIT, user=TEACHER)
    h.server.press(shown, t.BTN_PROFILE_EDIT, user=TEACHER)
    await h.server.idle()
    assert len(tg_consents(h)) == 1


async def max_settled(h: Both) -> None:
    """Every earlier update of the chat is handled (they are handled in order): a word typed
    while the consent waits gets its one reply after them."""
    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.user_writes(TEACHER_MAX, "ну")
    count = before + 1
    while not any("Пока согласия нет" in m.plain for m in h.max.sent_to(TEACHER_MAX)[before:]):
        await h.max.wait_sent(TEACHER_MAX, count)
        count += 1


async def max_cards(h: Both, *event_ids: int) -> list[Message]:
    """The cards of these events opened by deep links (a newcomer also gets «Кто вы?»)."""
    cards = []
    for event_id in event_ids:
        before = len(h.max.sent_to(TEACHER_MAX))
        h.max.bot_started(TEACHER_MAX, f"event_{event_id}")
        sent = await h.max.wait_sent(TEACHER_MAX, before + 2)
        cards.append(next(m for m in sent[before:] if t.BTN_REGISTER in labels(m)))
    return cards


async def max_walk_form(h: Both, consent: Message) -> str:
    (ask_name,) = await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    assert "Шаг 2 из 5" in ask_name.plain
    await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
    position = await h.say(TEACHER_MAX, "МБОУ СОШ № 2")
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    mailing = await mailing_after(h, "+7 900 123-45-67", share=False)
    saved, confirmed = await press_and_wait(h, mailing, t.BTN_MAIL_NO, 2)
    assert t.PROFILE_SAVED in saved.plain
    return confirmed.plain


async def test_a_double_tap_on_register_asks_the_consent_once_in_max(both: Both) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о проектах")
    (card,) = await max_cards(h, event_id)
    taps = [await h.press(TEACHER_MAX, card, t.BTN_REGISTER) for _ in range(2)]
    await max_settled(h)
    (consent,) = max_consents(h)
    assert [await max_answer(h, tap) for tap in taps] == ["", t.FORM_OPEN]
    confirmed = await max_walk_form(h, consent)
    assert "Вы записаны" in confirmed and "Семинар о проектах" in confirmed
    assert await seats(h.sessionmaker) == [(event_id, "registered")]


async def test_a_restart_and_another_card_move_the_open_form_in_max(both: Both) -> None:
    h = both
    first = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о проектах")
    last = await seed_event(h.sessionmaker, starts_at=SOON, title="Мастерская наставников")
    card_first, card_last = await max_cards(h, first, last)
    (consent,) = await press_and_wait(h, card_first, t.BTN_REGISTER, 1)
    await h.restart_max()
    moved = await h.press(TEACHER_MAX, card_last, t.BTN_REGISTER)
    await max_settled(h)
    assert max_consents(h) == [consent]
    assert "Мастерская наставников" in await max_answer(h, moved)
    # quick taps back to the first card and again to the last: still no second question
    await max_answer(h, await h.press(TEACHER_MAX, card_first, t.BTN_REGISTER))
    moved = await h.press(TEACHER_MAX, card_last, t.BTN_REGISTER)
    assert "Мастерская наставников" in await max_answer(h, moved)
    await max_settled(h)
    assert max_consents(h) == [consent]
    assert "Мастерская наставников" in await max_walk_form(h, consent)
    assert await seats(h.sessionmaker) == [(last, "registered")]


async def test_a_double_tap_on_edit_profile_asks_the_consent_once_in_max(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    shown = await h.say(TEACHER_MAX, "/profile")
    taps = [await h.press(TEACHER_MAX, shown, t.BTN_PROFILE_EDIT) for _ in range(2)]
    await max_settled(h)
    assert len(max_consents(h)) == 1
    assert [await max_answer(h, tap) for tap in taps] == ["", t.FORM_OPEN]


async def test_a_double_tap_on_agree_points_at_the_next_question_in_telegram(
    harness: BotHarness,
) -> None:
    """«Согласен» twice: the second tap is told the form waits above, not «Кнопка устарела.
    Откройте /menu» (which would lead out of it); the name is asked once. MAX: in
    test_e2e_teacher_qa."""
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар о проектах")
    consent = await h.press(TEACHER, await tg_card(h, event_id), t.BTN_REGISTER)
    h.server.press(consent, t.BTN_CONSENT_YES, user=TEACHER)
    h.server.press(consent, t.BTN_CONSENT_YES, user=TEACHER)
    await h.server.idle()
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == t.FORM_OPEN)
    asked = [m for m in h.server.sent_to(TEACHER.id) if "Шаг 2 из 5" in (m.text or "")]
    assert len(asked) == 1


def test_a_form_left_long_ago_is_opened_anew() -> None:
    """A form abandoned hours ago is not «above» any more: a tap asks the consent again."""
    now = SystemClock().now()
    form = entry.opening(None, [], now - entry.FRESH - timedelta(minutes=1))
    assert entry.reentry(form, None, now) is None
    assert entry.reentry({"pending_event": 1}, None, now) is None  # begun before this check
    assert entry.reentry(entry.opening(1, [], now), None, now) is not None
