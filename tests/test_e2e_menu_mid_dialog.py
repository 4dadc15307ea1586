"""A menu button pressed in the middle of a dialog leaves the dialog and does what it says:
the button's text never becomes the answer to the dialog's question (a ticket reading
«📚 Частые вопросы», a position «📅 Мероприятия»)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.texts import events as t
from storage.models import FsmRecord, Ticket
from tests.conftest import PARENT, TEACHER, BotHarness
from tests.helpers.events import seed_event


async def test_faq_pressed_while_asking_a_specialist_opens_the_faq(harness: BotHarness) -> None:
    h = harness
    prompt = await h.say(PARENT, texts.BTN_ASK)
    assert "Напишите ваш вопрос" in prompt.text
    shown = await h.say(PARENT, texts.BTN_FAQ)
    assert "Выберите тему" in shown.text, shown.text
    await h.server.idle()
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Ticket))).first() is None
    assert not [m for m in h.server.sent_to(PARENT.id) if "Номер обращения" in m.text]


async def test_events_pressed_in_the_profile_form_shows_events_not_step_four(
    harness: BotHarness,
) -> None:
    h = harness
    soon = datetime.now(UTC) + timedelta(days=10)
    event_id = await seed_event(h.sessionmaker, title="Семинар для новичков", starts_at=soon)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    assert "Шаг 1 из 5" in consent.text
    first = await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    assert "Шаг 2 из 5" in first.text
    await h.say(TEACHER, "Сидоров Пётр Ильич")
    position = await h.say(TEACHER, "МБОУ СОШ № 1")
    assert "Шаг 4 из 5" in position.text
    listing = await h.say(TEACHER, texts.BTN_EVENTS)
    assert "Ближайшие мероприятия" in listing.text, listing.text
    await h.server.idle()
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(FsmRecord))).first() is None or all(
            r.state is None for r in await session.scalars(select(FsmRecord))
        )


async def test_otmena_typed_instead_of_the_question_cancels(harness: BotHarness) -> None:
    """«отмена» typed after «Спросить специалиста» is the parent changing their mind, not a
    question for staff."""
    h = harness
    await h.say(PARENT, texts.BTN_ASK)
    cancelled = await h.say(PARENT, "Отмена")
    assert cancelled.text == texts.CANCELLED, cancelled.text
    await h.server.idle()
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Ticket))).first() is None


async def test_menu_typed_as_a_word_opens_the_menu_and_leaves_the_dialog(
    harness: BotHarness,
) -> None:
    h = harness
    await h.say(PARENT, texts.BTN_ASK)
    shown = await h.say(PARENT, "меню")
    assert shown.text == texts.MENU, shown.text
    after = await h.say(PARENT, "как активировать сертификат")
    assert "Номер обращения" not in after.text  # the dialog is over: the FAQ answers


async def test_a_refused_consent_gives_the_menu_back(harness: BotHarness) -> None:
    """A teacher who declines the consent (the form's first step) must not be left with no
    menu at all."""
    h = harness
    soon = datetime.now(UTC) + timedelta(days=10)
    event_id = await seed_event(h.sessionmaker, title="Семинар для новичков", starts_at=soon)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    refused = await h.press(TEACHER, consent, t.BTN_CONSENT_NO)
    assert "Без согласия" in refused.text
    menu = [label for row in h.server.reply_keyboard(TEACHER.id) for label in row]
    assert texts.BTN_FAQ in menu, "no menu left"
