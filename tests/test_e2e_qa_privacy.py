"""152-ФЗ as an outside reviewer checks it, in Telegram and MAX: the consent a teacher is asked
for says everything ст. 9 ч. 4 asks of it (who the operator is and where, which data, why, for
how long, how to withdraw), and agreeing records the version of that very text and the time;
/my_data in the middle of the form shows the name already typed; after a withdrawal the staff's
list, export and attendance buttons of a past event no longer name the person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.profile.teachers import CONSENT_VERSION
from bot.texts import consent as tc
from bot.texts import events as t
from storage.db import SessionMaker
from storage.models import Consent
from tests.conftest import (
    ADMIN,
    TEACHER,
    BotHarness,
    make_settings,
    running_both,
    start_bot,
    stop_bot,
)
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_teacher
from tests.helpers.max_bot import max_only_bot, say
from tests.helpers.max_both import TEACHER_MAX, Both, press_and_wait
from tests.test_e2e_consent import seed_event
from tests.test_e2e_events_admin import press_data, staff_message
from tests.test_e2e_forget_taught_question import MAX_ADMIN, MAX_MOTHER, PHONED, edited_to, press
from tests.test_e2e_withdraw_consent import NAME, seed_consenting

ADDRESS = "г. N, ул. Садовая, 7"


def assert_a_full_consent_text(text: str) -> None:
    """What the teacher reads before agreeing."""
    assert "МОЦ города N" in text and ADDRESS in text  # the operator and its address
    assert "ФИО" in text and "контакт" in text  # the data
    assert "записывать вас на мероприятия" in text  # the purposes
    assert "до его отзыва" in text  # how long it lasts
    assert "/withdraw_consent" in text  # how to withdraw it
    assert f"Версия текста: {CONSENT_VERSION}." in text


async def proofs(sm: SessionMaker) -> list[Consent]:
    async with sm() as session:
        return list((await session.scalars(select(Consent))).all())


@pytest.fixture
async def harness_with_address(
    server: FakeTelegramServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[BotHarness]:
    settings = make_settings(db_path, moc_address=ADDRESS)
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    harness = BotHarness(server, settings, sessionmaker, dp, bot, task)
    yield harness
    await stop_bot(harness.dp, harness.task)


@pytest.fixture
async def both_with_address(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, moc_address=ADDRESS
    ) as h:
        yield h


async def test_telegram_consent_names_the_operator_period_and_is_recorded_with_its_version(
    harness_with_address: BotHarness,
) -> None:
    h = harness_with_address
    event_id = await seed_event(h.sessionmaker)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    assert_a_full_consent_text(consent.text)

    before = datetime.now(UTC) - timedelta(seconds=1)
    await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    (proof,) = await proofs(h.sessionmaker)
    assert (proof.user_id, proof.kind, proof.version) == (
        TEACHER.id,
        "personal_data",
        CONSENT_VERSION,
    )
    assert proof.given_at >= before and proof.withdrawn_at is None


async def test_max_consent_names_the_operator_period_and_is_recorded_with_its_version(
    both_with_address: Both,
) -> None:
    h = both_with_address
    event_id = await seed_event(h.sessionmaker)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    assert_a_full_consent_text(consent.plain)

    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    (proof,) = await proofs(h.sessionmaker)
    assert (proof.kind, proof.version, proof.withdrawn_at) == (
        "personal_data", CONSENT_VERSION, None,
    )  # fmt: skip


DRAFT_NAME = "Кудрявцева Олеся Марковна"
DRAFT_ORG = "ЦДТ «Полярная звезда»"
DRAFT_LINE = f"Анкета, которую вы заполняете (ещё не сохранена): {DRAFT_NAME}, {DRAFT_ORG}"


async def test_telegram_my_data_mid_form_shows_the_answers_the_bot_already_holds(
    harness: BotHarness,
) -> None:
    """ст. 14: the name typed at step 2 waits in the dialog's state until step 5; /my_data
    must not say «Профиль педагога: нет» and stop there while the bot holds it."""
    h = harness
    event_id = await seed_event(h.sessionmaker)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    await h.say(TEACHER, DRAFT_NAME)
    await h.say(TEACHER, DRAFT_ORG)

    held = await h.say(TEACHER, "/my_data")
    assert "Профиль педагога: нет" in held.text and DRAFT_LINE in held.text
    # the form goes on where it was: /my_data only looked
    assert "Шаг 5 из 5" in (await h.say(TEACHER, "Методист")).text

    nothing_open = await h.say(TEACHER, "/cancel")
    assert nothing_open.text
    assert "Анкета" not in (await h.say(TEACHER, "/my_data")).text


async def test_max_my_data_mid_form_shows_the_answers_the_bot_already_holds(both: Both) -> None:
    h = both
    user = TEACHER_MAX
    event_id = await seed_event(h.sessionmaker)
    shown = await h.start(user, f"event_{event_id}")
    await h.max.wait_sent(user, 2)
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    await h.say(user, DRAFT_NAME)
    await h.say(user, DRAFT_ORG)

    held = await h.say(user, "/my_data")
    assert "Профиль педагога: нет" in held.plain and DRAFT_LINE in held.plain
    assert "Шаг 5 из 5" in (await h.say(user, "Методист")).plain


async def test_after_withdrawal_the_staff_list_and_export_of_a_past_event_do_not_name_them(
    harness: BotHarness,
) -> None:
    """The past attendance stays «без ФИО — только для счёта»: the participants list, its
    CSV and the attendance buttons must not fall back to the Telegram name (Пётр Сидоров)."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, NAME)
    _ahead, held = await seed_consenting(h.sessionmaker, TEACHER.id)
    confirm = await h.say(TEACHER, "/withdraw_consent")
    assert "отозвано" in (await h.press(TEACHER, confirm, tc.BTN_WITHDRAW_YES)).text
    await h.server.idle()
    h.server.drain(ADMIN.id)

    anchor = await staff_message(h)
    await press_data(h, ADMIN, anchor, f"eva:people:{held}")
    listing = h.server.drain(ADMIN.id)[-1]
    assert "1. без ФИО (согласие отозвано)" in listing.text
    table = await h.press(ADMIN, listing, "CSV")
    assert table.document is not None
    await press_data(h, ADMIN, anchor, f"eva:attend:{held}")
    marks = h.server.drain(ADMIN.id)[-1]
    shown = listing.text + table.document.data.decode("utf-8-sig") + " ".join(marks.inline_texts)
    for telegram_name in ("Пётр", "Сидоров", NAME):
        assert telegram_name not in shown, telegram_name
    assert "✅ без ФИО (согласие отозвано)" in marks.inline_texts  # counted as having come


async def test_a_database_failure_while_saving_the_profile_leaks_no_name_or_phone(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A write refused (here by a trigger, as a full disk or a lock would) fails the update:
    the error goes to the log and to the admins' chat — with SQLAlchemy's bound parameters
    it would carry the teacher's ФИО and phone there."""
    h = harness
    async with h.sessionmaker() as session:
        await session.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON teacher_profiles "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O refused'); END"
            )
        )
        await session.commit()
    event_id = await seed_event(h.sessionmaker)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    await h.say(TEACHER, DRAFT_NAME)
    position = await h.say(TEACHER, DRAFT_ORG)
    await h.press(TEACHER, position, "Методист")
    await h.say(TEACHER, "+7 913 404-40-40")
    mailing = await h.server.next_message(TEACHER.id)
    await h.press(TEACHER, mailing, t.BTN_MAIL_NO)
    await h.server.idle()

    notice = (await h.server.next_message(ADMIN.id)).text
    assert "disk I/O refused" in notice  # the admins learn what failed
    logged = caplog.text
    assert "disk I/O refused" in logged
    for secret in ("Кудрявцева", "Полярная", "913 404", "9134044040"):
        assert secret not in notice and secret not in logged, secret


async def test_max_only_staff_post_about_a_forgotten_question_loses_name_and_words(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    """A MAX-only МОЦ: the ticket goes to the staff's private chats in MAX; after /forget_me
    of the asker those posts say «удалено» and hold neither the question nor the name."""
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        fake.bot_started(MAX_ADMIN)
        await fake.wait_sent(MAX_ADMIN, 1)
        fake.bot_started(MAX_MOTHER)
        welcome = (await fake.wait_sent(MAX_MOTHER, 1))[0]
        await press(fake, MAX_MOTHER, welcome, texts.ROLE_TITLES["parent"])
        (unknown,) = await say(fake, MAX_MOTHER, PHONED)
        before = len(fake.sent_to(MAX_ADMIN))
        created = await press(fake, MAX_MOTHER, unknown, texts.BTN_ASK_SHORT)
        posts = (await fake.wait_sent(MAX_ADMIN, before + 1, within=20))[before:]
        assert any(PHONED in p.plain for p in posts), [p.plain for p in posts]
        assert created.plain

        (held,) = await say(fake, MAX_MOTHER, "/my_data")
        confirm = await press(fake, MAX_MOTHER, held, texts.BTN_FORGET)
        assert "удалены" in (await press(fake, MAX_MOTHER, confirm, texts.BTN_FORGET_YES)).plain
        for post in posts:
            await edited_to(post, "удалено")
            assert PHONED not in post.plain and "Ковалёва" not in post.plain
