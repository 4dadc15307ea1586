"""152-ФЗ: the teacher's form asks the consent before any name or phone, in Telegram and MAX.

A teacher who types their name and number before agreeing (people do), restarts the bot in
the middle and then refuses leaves nothing of it in the database files — not in the dialog's
state, not in the question log, not in the write-ahead log; agreeing writes the proof
(version, date) at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.services.faq import FaqService
from bot.services.profile.teachers import CONSENT_VERSION, complete
from bot.texts import events as t
from storage.db import SessionMaker
from storage.models import Consent, Event, FaqQuery, Registration, TeacherProfile
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness
from tests.helpers.max_both import TEACHER_MAX, Both, press_and_wait, seed_max_teacher
from tests.test_e2e_events import seed_teacher

TYPED_NAME = "Белоусова Ангелина Тимуровна"
TYPED_PHONE = "+7 913 777-66-55"
SECRETS = ("Белоусова", "Ангелина", "913 777", "9137776655")


async def seed_event(sm: SessionMaker) -> int:
    async with sm() as session:
        event = Event(
            title="Семинар о согласии", kind="seminar", capacity=10,
            starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=10),
            place="ул. Ленина, 1",
        )  # fmt: skip
        session.add(event)
        await session.commit()
        return event.id


def stored_bytes(db_path: Path) -> bytes:
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def assert_nothing_kept(db_path: Path) -> None:
    stored = stored_bytes(db_path)
    for secret in SECRETS:
        assert secret.encode() not in stored, secret


async def counts(sm: SessionMaker) -> list[int]:
    """Rows of consents, profiles, registrations and logged questions."""
    found = []
    async with sm() as session:
        for model in (Consent, TeacherProfile, Registration, FaqQuery):
            found.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return found


async def test_telegram_asks_the_consent_first_and_a_refusal_keeps_nothing_typed(
    harness: BotHarness, faq_service: FaqService, db_path: Path
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    assert "Шаг 1 из 5" in consent.text and "152-ФЗ" in consent.text
    assert "ничего не спрашиваю и не сохраняю" in consent.text
    assert "/withdraw_consent" in consent.text  # how to withdraw without deleting everything

    for early in (TYPED_NAME, TYPED_PHONE):  # typed before agreeing: the question again
        again = await h.say(TEACHER, early)
        assert again.text == t.CONSENT_PRESS
    await h.server.idle()
    assert_nothing_kept(db_path)
    await h.restart(faq_service)
    assert_nothing_kept(db_path)

    refused = await h.press(TEACHER, consent, t.BTN_CONSENT_NO)
    assert "не сохранены" in refused.text
    assert await counts(h.sessionmaker) == [0, 0, 0, 0]
    assert_nothing_kept(db_path)

    # agreeing writes the proof at once, before the first answer
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    ask_name = await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    assert "Шаг 2 из 5" in ask_name.text
    async with h.sessionmaker() as session:
        proof = (await session.scalars(select(Consent))).one()
    assert (proof.user_id, proof.kind, proof.version) == (
        TEACHER.id,
        "personal_data",
        "2026-12-06.2",
    )
    assert proof.withdrawn_at is None


async def test_max_asks_the_consent_first_and_a_refusal_keeps_nothing_typed(
    both: Both, db_path: Path
) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    assert "Шаг 1 из 5" in consent.plain and "152-ФЗ" in consent.plain

    again = await h.say(TEACHER_MAX, TYPED_NAME)
    assert "Пока согласия нет" in again.plain
    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.user_shares_contact(TEACHER_MAX, "89137776655")
    await h.max.wait_sent(TEACHER_MAX, before + 1)
    assert_nothing_kept(db_path)
    await h.restart_max()
    assert_nothing_kept(db_path)

    (refused,) = await press_and_wait(h, consent, t.BTN_CONSENT_NO, 1)
    assert "не сохранены" in refused.plain
    assert await counts(h.sessionmaker) == [0, 0, 0, 0]
    assert_nothing_kept(db_path)

    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    (ask_name,) = await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    assert "Шаг 2 из 5" in ask_name.plain
    async with h.sessionmaker() as session:
        uid = await Repositories(session).channel_ids.internal("max", "user", TEACHER_MAX.user_id)
        proof = (await session.scalars(select(Consent))).one()
    assert (proof.user_id, proof.kind, proof.version) == (uid, "personal_data", "2026-12-06.2")


async def test_refusing_while_editing_the_profile_says_what_is_still_kept(
    harness: BotHarness,
) -> None:
    """«Изменить профиль» → «Не согласен(на)»: not «данные не сохранены» (the old ones are),
    but what stays and how to remove it."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER)
    shown = await h.say(TEACHER, "/profile")
    consent = await h.press(TEACHER, shown, t.BTN_PROFILE_EDIT)
    refused = await h.press(TEACHER, consent, t.BTN_CONSENT_NO)
    assert "профиль не изменён" in refused.text and "/forget_me" in refused.text
    assert "не сохранены" not in refused.text


async def test_refusing_while_editing_the_profile_in_max_says_what_is_still_kept(
    both: Both,
) -> None:
    await seed_max_teacher(both.sessionmaker, TEACHER_MAX)
    await both.start(TEACHER_MAX)
    shown = await both.say(TEACHER_MAX, "/profile")
    (consent,) = await press_and_wait(both, shown, t.BTN_PROFILE_EDIT, 1)
    (refused,) = await press_and_wait(both, consent, t.BTN_CONSENT_NO, 1)
    assert "профиль не изменён" in refused.plain and "/forget_me" in refused.plain
    assert "не сохранены" not in refused.plain


def test_a_dialog_begun_under_the_previous_consent_text_still_completes() -> None:
    """A teacher mid-form when the consent text changes (a deploy) keeps the answers: the
    proof already written names the text they agreed to. An unknown version saves nothing."""
    answers = {"full_name": "Иванова Мария", "organisation": "ДДТ", "position": "педагог"}
    assert complete(answers | {"consent": CONSENT_VERSION})
    assert complete(answers | {"consent": "2026-11-25"})
    assert not complete(answers | {"consent": "2020-01-01"}) and not complete(answers)
