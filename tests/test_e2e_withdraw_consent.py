"""152-ФЗ ст. 9 ч. 2: a teacher withdraws the consent and goes on using the bot, in Telegram
and MAX. «Мои данные» → «↩️ Отозвать согласие» → the confirmation says what goes → «Да,
отозвать»: the name and phone are deleted, the seat of an event ahead goes to the waiting
list (that teacher is told), a past attendance stays without a name, the consent keeps its
proof with the time of withdrawal, «Мои данные» says when; the next «Записаться» asks the
consent again from step 1. A second tap, or an old confirmation after /forget_me, changes
nothing and says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.core.clock import Clock, FrozenClock
from bot.services.faq import FaqService
from bot.texts import consent as tc
from bot.texts import events as t
from storage.db import SessionMaker
from storage.models import Consent, Registration, RegistrationStatus, TeacherProfile
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, labels, press_and_wait

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
AHEAD = NOW + timedelta(days=10)
HELD = NOW - timedelta(days=20)
WAITING = FakeUser(id=2011, first_name="Ольга", last_name="Ждущая")
NAME, PHONE = "Отзывчивая Вера Павловна", "+7 900 321-54-76"


@pytest.fixture
def clock() -> Clock:
    return FrozenClock(NOW)


@pytest.fixture
async def both_frozen(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    clock: Clock,
) -> AsyncIterator[Both]:
    async with running_both(server, max_server, db_path, sessionmaker, faq_service, clock) as h:
        yield h


async def seed_consenting(sm: SessionMaker, uid: int) -> tuple[int, int]:
    """A teacher with a profile and the consent, a seat at an event ahead (one seat, a
    Telegram teacher waiting for it) and a past event they attended: (ahead, held)."""
    ahead = await seed_event(sm, capacity=1, starts_at=AHEAD, title="Семинар «Наставники»")
    held = await seed_event(sm, starts_at=HELD, title="Прошедший семинар")
    async with sm() as session:
        repo = Repositories(session)
        await repo.profiles.save(
            uid, full_name=NAME, organisation="ДДТ «Радуга»", position="Методист",
            contact=PHONE, mailing_consent=False,
        )  # fmt: skip
        consent = await repo.profiles.give_consent(uid, "personal_data", "2026-11-25")
        consent.given_at = NOW - timedelta(days=30)
        for event_id in (ahead, held):
            await repo.events.register(event_id, uid)
        past = await repo.events.registration(held, uid)
        assert past is not None
        await repo.events.mark_attended(past.id, True)
        await repo.commit()
    await seed_teacher(sm, WAITING, "Ждущая Ольга Ивановна")
    assert (await register(sm, ahead, WAITING))[1] == "waiting"
    return ahead, held


async def assert_withdrawn(sm: SessionMaker, uid: int, ahead: int, held: int) -> None:
    """The profile is gone, the consent withdrawn at NOW (the row kept), the seat ahead
    passed on, the past attendance kept."""
    async with sm() as session:
        assert await session.get(TeacherProfile, uid) is None
        consent = (await session.scalars(select(Consent).where(Consent.user_id == uid))).one()
        rows = await session.scalars(select(Registration))
        regs = {(r.event_id, r.user_id): r.status for r in rows}
    assert consent.version == "2026-11-25" and consent.withdrawn_at == NOW
    assert regs == {
        (ahead, uid): RegistrationStatus.CANCELLED,
        (ahead, WAITING.id): RegistrationStatus.REGISTERED,
        (held, uid): RegistrationStatus.ATTENDED,
    }


async def test_telegram_teacher_withdraws_the_consent_and_keeps_the_bot(
    harness: BotHarness,
) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, NAME)
    ahead, held = await seed_consenting(h.sessionmaker, TEACHER.id)

    data = await h.say(TEACHER, "/my_data")
    assert NAME in data.text and tc.BTN_WITHDRAW in data.inline_texts
    confirm = await h.press(TEACHER, data, tc.BTN_WITHDRAW)
    assert "Отозвать согласие" in confirm.text and "Семинар «Наставники»" in confirm.text
    assert "11.12.2026 12:00" in confirm.text and "Подтверждение участия" in confirm.text
    assert "Прошедший семинар" not in confirm.text  # held: not cancelled
    assert "продолжат работать" in confirm.text

    done = await h.press(TEACHER, confirm, tc.BTN_WITHDRAW_YES)
    assert "отозвано 01.12.2026 12:00" in done.text
    assert "Отменены записи" in done.text and "Семинар «Наставники»" in done.text
    told = await h.server.next_message(WAITING.id)
    assert "Освободилось место" in told.text and "Наставники" in told.text
    ics = await h.server.next_message(WAITING.id)
    assert ics.document is not None and ics.document.filename.endswith(".ics")

    # a double tap that arrives before the buttons went: nothing more happens
    h.server.press_data(confirm, "wdc:yes", user=TEACHER)
    again = await h.server.next_message(TEACHER.id)
    assert again.text == tc.STALE
    await h.server.idle()
    assert not h.server.drain(WAITING.id) and not h.server.drain(ADMIN.id)
    await assert_withdrawn(h.sessionmaker, TEACHER.id, ahead, held)

    after = await h.say(TEACHER, "/my_data")
    assert NAME not in after.text and PHONE not in after.text
    assert "Профиль педагога: нет" in after.text
    assert "отозвано 01.12.2026 12:00" in after.text
    assert tc.BTN_WITHDRAW not in after.inline_texts and texts.BTN_FORGET in after.inline_texts
    assert (await h.say(TEACHER, "/withdraw_consent")).text == tc.NOTHING

    # the FAQ still answers, and the past event's document says why there is none
    assert "сертификат" in (await h.say(TEACHER, "как активировать сертификат")).text.lower()
    past_card = await h.say(TEACHER, f"/start event_{held}")
    h.server.press(past_card, t.BTN_PROOF, user=TEACHER)
    alert = await h.server.wait_for("answerCallbackQuery", lambda c: "text" in c.params)
    assert alert.params["text"] == t.PROOF_NO_PROFILE

    # registering again starts from the consent
    card = await h.say(TEACHER, f"/start event_{ahead}")
    asked = await h.press(TEACHER, card, t.BTN_WAITLIST)
    assert "Шаг 1 из 5" in asked.text and "152-ФЗ" in asked.text


async def test_an_old_confirmation_after_forget_me_changes_nothing(harness: BotHarness) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, NAME)
    await seed_consenting(h.sessionmaker, TEACHER.id)
    confirm = await h.say(TEACHER, "/withdraw_consent")
    assert tc.BTN_WITHDRAW_YES in confirm.inline_texts
    forget = await h.say(TEACHER, "/forget_me")
    assert texts.FORGOTTEN in (await h.press(TEACHER, forget, texts.BTN_FORGET_YES)).text
    async with h.sessionmaker() as session:
        before = [(c.kind, c.withdrawn_at) for c in await session.scalars(select(Consent))]

    assert (await h.press(TEACHER, confirm, tc.BTN_WITHDRAW_YES)).text == tc.STALE
    async with h.sessionmaker() as session:
        after = [(c.kind, c.withdrawn_at) for c in await session.scalars(select(Consent))]
        assert await session.get(TeacherProfile, TEACHER.id) is None
    assert after == before


async def test_max_teacher_withdraws_the_consent_and_keeps_the_bot(both_frozen: Both) -> None:
    h = both_frozen
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        uid = await repo.channel_ids.internal("max", "user", TEACHER_MAX.user_id)
        await repo.users.touch(uid, TEACHER_MAX.first_name, TEACHER_MAX.last_name, None)
        await repo.users.set_role(uid, "teacher")
        await repo.commit()
    ahead, held = await seed_consenting(h.sessionmaker, uid)
    await h.start(TEACHER_MAX)

    data = await h.say(TEACHER_MAX, "/my_data")
    assert NAME in data.plain and tc.BTN_WITHDRAW in labels(data)
    (confirm,) = await press_and_wait(h, data, tc.BTN_WITHDRAW, 1)
    assert "Семинар «Наставники»" in confirm.plain and "Прошедший семинар" not in confirm.plain
    (done,) = await press_and_wait(h, confirm, tc.BTN_WITHDRAW_YES, 1)
    assert "отозвано 01.12.2026 12:00" in done.plain and "Отменены записи" in done.plain
    told = await h.tg.next_message(WAITING.id, timeout=15)  # the next in line, in Telegram
    assert "Освободилось место" in told.text and "Наставники" in told.text

    before = len(h.max.sent_to(TEACHER_MAX))  # a second tap, before the buttons went
    h.max.press_payload(TEACHER_MAX, confirm, "wdc:yes")
    again = (await h.max.wait_sent(TEACHER_MAX, before + 1))[before]
    assert again.plain == tc.STALE
    await assert_withdrawn(h.sessionmaker, uid, ahead, held)

    after = await h.say(TEACHER_MAX, "/my_data")
    assert NAME not in after.plain and PHONE not in after.plain
    assert "Профиль педагога: нет" in after.plain and "отозвано 01.12.2026 12:00" in after.plain
    assert tc.BTN_WITHDRAW not in labels(after)

    card = await h.start(TEACHER_MAX, f"event_{ahead}")
    (asked,) = await press_and_wait(h, card, t.BTN_WAITLIST, 1)
    assert "Шаг 1 из 5" in asked.plain and "152-ФЗ" in asked.plain
