"""/move: a teacher takes their data from one messenger account to another — Telegram to
MAX mostly (Telegram is throttled), MAX to Telegram too — with a one-time code, over the fake
Telegram server and the fake MAX server, both real HTTP, in one process."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from bot import texts
from bot.texts import events as e
from bot.texts import transfer as t
from storage.models import (
    Consent,
    Registration,
    RegistrationStatus,
    TeacherProfile,
    TransferCode,
    User,
    utcnow,
)
from storage.repositories import Repositories
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeUser
from tests.fakes.telegram_model import SentMessage
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import SOON, Both, labels, seed_max_teacher

ANNA_TG = FakeUser(id=2301, first_name="Анна", last_name="Кузнецова")
ANNA_MAX = MaxUser(50_000_000_901, "Анна", "Кузнецова")
WAITING_TG = FakeUser(id=2302, first_name="Пётр", last_name="Иванов")
FULL_NAME = "Кузнецова Анна Сергеевна"
CODE = re.compile(r"Код: ([A-Z0-9]{4}-[A-Z0-9]{4})")


async def tg_say(h: Both, user: FakeUser, text: str) -> SentMessage:
    h.tg.user_sends(text, user=user)
    return await h.tg.next_message(user.id, timeout=10)


async def code_in_telegram(h: Both, user: FakeUser = ANNA_TG) -> str:
    given = await tg_say(h, user, "/move")
    assert given.text and "Перенесутся: профиль педагога" in given.text
    found = CODE.search(given.text)
    assert found, given.text
    return found.group(1)


async def seed_tg_teacher_with_consent(h: Both) -> None:
    await seed_teacher(h.sessionmaker, ANNA_TG, FULL_NAME)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.profiles.give_consent(ANNA_TG.id, "personal_data", "2026-12-06.2")
        await repo.chats.subscribe(ANNA_TG.id, "teachers")
        await repo.commit()


async def max_press(h: Both, message: Message, label: str) -> Message:
    before = len(h.max.sent_to(ANNA_MAX))
    await h.press(ANNA_MAX, message, label)
    return (await h.max.wait_sent(ANNA_MAX, before + 1, within=15))[before]


async def max_uid(h: Both, user: MaxUser) -> int:
    async with h.sessionmaker() as session:
        found = await Repositories(session).channel_ids.find("max", "user", user.user_id)
    assert found is not None
    return found


async def statuses(h: Both) -> dict[tuple[int, int], str]:
    async with h.sessionmaker() as session:
        rows = await session.scalars(select(Registration))
        return {(r.user_id, r.event_id): r.status for r in rows}


async def test_a_telegram_teacher_moves_profile_and_registrations_to_max(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    first = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Наставничество»")
    second = await seed_event(
        h.sessionmaker, starts_at=SOON + timedelta(days=3), title="Мастерская проектов"
    )
    for event_id in (first, second):
        assert (await register(h.sessionmaker, event_id, ANNA_TG))[1] == "registered"
    code = await code_in_telegram(h)

    welcome = await h.start(ANNA_MAX)  # a stranger in MAX: «Кто вы?»
    assert "Кто вы?" in welcome.plain
    done = await h.say(ANNA_MAX, code)
    assert "Перенесено: профиль, 2 записи на мероприятия, 1 согласие" in done.plain
    assert "роль «Педагог»" in done.plain and "подписка на новости" in done.plain
    assert labels(done) == [texts.BTN_EVENTS, texts.BTN_MY_EVENTS]  # the teacher's doors

    mine = await max_press(h, done, texts.BTN_MY_EVENTS)
    assert "Семинар «Наставничество»" in mine.plain and "Мастерская проектов" in mine.plain
    assert mine.plain.count(e.STATUS_REGISTERED) == 2

    told = await h.tg.next_message(ANNA_TG.id, timeout=15)
    assert told.text and "Ваши данные перенесены в MAX" in told.text
    assert "2 записи на мероприятия" in told.text

    in_max = await h.say(ANNA_MAX, "/my_data")
    assert FULL_NAME in in_max.plain and "Записей на мероприятия: 2" in in_max.plain
    assert "на обработку персональных данных" in in_max.plain  # the proof moved with her
    in_tg = await tg_say(h, ANNA_TG, "/my_data")
    assert in_tg.text and "Профиль педагога: нет" in in_tg.text
    assert "Записей на мероприятия: 0" in in_tg.text and "Согласия: нет" in in_tg.text

    uid = await max_uid(h, ANNA_MAX)
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Consent.user_id))).all() == [uid]
        assert await session.get(TeacherProfile, ANNA_TG.id) is None
    assert set(await statuses(h)) == {(uid, first), (uid, second)}

    # /forget_me where the data is now: it goes, the proof of consent stays (with the MAX id)
    confirm = await max_press(h, in_max, texts.BTN_FORGET)
    assert "удалены" in (await max_press(h, confirm, texts.BTN_FORGET_YES)).plain
    async with h.sessionmaker() as session:
        assert await session.get(TeacherProfile, uid) is None
        kept = (await session.scalars(select(Registration))).all()
        assert kept and all(r.user_id is None for r in kept)  # the report's numbers only
        (proof,) = (await session.scalars(select(Consent))).all()
    assert proof.user_id == uid and proof.withdrawn_at is not None
    assert await max_uid(h, ANNA_MAX) == uid


async def test_a_seat_held_in_both_accounts_goes_to_the_waiting_list(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    uid = await seed_max_teacher(h.sessionmaker, ANNA_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=2, starts_at=SOON, title="Семинар Б")
    assert (await register(h.sessionmaker, event_id, ANNA_TG))[1] == "registered"
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()
    await seed_teacher(h.sessionmaker, WAITING_TG, "Иванов Пётр Петрович")
    assert (await register(h.sessionmaker, event_id, WAITING_TG))[1] == "waiting"
    code = await code_in_telegram(h)
    await h.start(ANNA_MAX)

    done = await h.say(ANNA_MAX, "/move " + code.lower().replace("-", " "))
    assert "Перенесено: профиль, 1 запись на мероприятия" in done.plain

    promoted = await h.tg.next_message(WAITING_TG.id, timeout=15)
    assert promoted.text and "Освободилось место" in promoted.text
    assert await statuses(h) == {
        (uid, event_id): RegistrationStatus.REGISTERED,
        (WAITING_TG.id, event_id): RegistrationStatus.REGISTERED,
    }
    mine = await h.say(ANNA_MAX, "/my_events")
    assert mine.plain.count("Семинар Б") == 1
    async with h.sessionmaker() as session:
        profile = await session.get(TeacherProfile, uid)
    assert profile is not None and profile.full_name == FULL_NAME  # the source's wins


async def test_wrong_expired_same_account_and_forgotten_codes_are_refused(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    await h.start(ANNA_MAX)
    assert (await h.say(ANNA_MAX, "K7MP-2QXA")).plain == t.UNKNOWN  # never given

    code = await code_in_telegram(h)
    same = await tg_say(h, ANNA_TG, code)
    assert same.text == t.SAME
    async with h.sessionmaker() as session:  # sixteen minutes later
        await session.execute(
            update(TransferCode).values(
                created_at=utcnow() - timedelta(minutes=16),
                expires_at=utcnow() - timedelta(minutes=1),
            )
        )
        await session.commit()
    assert (await h.say(ANNA_MAX, code)).plain == t.UNKNOWN

    code = await code_in_telegram(h)
    forget = await tg_say(h, ANNA_TG, "/forget_me")
    h.tg.press(forget, texts.BTN_FORGET_YES, user=ANNA_TG)
    assert "удалены" in ((await h.tg.next_message(ANNA_TG.id, timeout=10)).text or "")
    assert (await h.say(ANNA_MAX, code)).plain == t.FORGOTTEN
    async with h.sessionmaker() as session:
        assert await session.get(TeacherProfile, await max_uid(h, ANNA_MAX)) is None


async def test_the_same_code_sent_twice_moves_once(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар В")
    await register(h.sessionmaker, event_id, ANNA_TG)
    replaced = await code_in_telegram(h)
    async with h.sessionmaker() as session:  # a minute later (a double tap gives no new one)
        await session.execute(
            update(TransferCode).values(created_at=utcnow() - timedelta(minutes=1))
        )
        await session.commit()
    code = await code_in_telegram(h)  # a new /move: the code before it no longer works
    await h.start(ANNA_MAX)
    assert (await h.say(ANNA_MAX, replaced)).plain == t.UNKNOWN

    before = len(h.max.sent_to(ANNA_MAX))
    h.max.user_writes(ANNA_MAX, code)
    h.max.user_writes(ANNA_MAX, code)
    answers = [m.plain for m in (await h.max.wait_sent(ANNA_MAX, before + 2))[before:]]
    assert sum("Перенесено" in a for a in answers) == 1
    assert t.UNKNOWN in answers
    told = await h.tg.next_message(ANNA_TG.id, timeout=15)
    assert told.text and "перенесены в MAX" in told.text
    await h.tg.idle()
    assert not h.tg.drain(ANNA_TG.id)  # told once
    uid = await max_uid(h, ANNA_MAX)
    assert await statuses(h) == {(uid, event_id): RegistrationStatus.REGISTERED}
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Consent.user_id))).all() == [uid]


async def test_a_max_teacher_moves_to_telegram_from_the_my_data_button(both: Both) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, ANNA_MAX)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар Г")
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.events.register(event_id, uid)
        await repo.commit()
    await h.start(ANNA_MAX)
    held = await h.say(ANNA_MAX, "/my_data")
    given = await max_press(h, held, t.BTN_MOVE)
    shown = len(h.max.sent_to(ANNA_MAX))
    found = CODE.search(given.plain)
    assert found, given.plain

    done = await tg_say(h, ANNA_TG, found.group(1))
    assert done.text and "Перенесено: профиль, 1 запись на мероприятия" in done.text
    assert [texts.BTN_EVENTS, texts.BTN_MY_EVENTS] in done.reply_keyboard
    told = (await h.max.wait_sent(ANNA_MAX, shown + 1, within=15))[shown]
    assert "Ваши данные перенесены в Telegram" in told.plain
    assert await statuses(h) == {(ANNA_TG.id, event_id): RegistrationStatus.REGISTERED}
    async with h.sessionmaker() as session:
        user = await session.get(User, ANNA_TG.id)
    assert user is not None and user.role == "teacher"
