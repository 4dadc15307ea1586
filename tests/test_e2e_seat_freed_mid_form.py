"""A full seminar in MAX: a newcomer presses «Встать в лист ожидания», and while they are in the
form (consent, name, a restart of the bot, a phone in brackets) the only seat is given back in
Telegram. Finishing the form takes that seat — «Вы записаны», not the queue the card offered —
and the phone is stored the way staff call back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.texts import events as t
from storage.models import Registration, RegistrationStatus, TeacherProfile
from storage.repositories import Repositories
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import SOON, TEACHER_MAX, Both, press_and_wait

HOLDER = FakeUser(id=2008, first_name="Анна", last_name="Смирнова")


async def test_the_seat_given_back_mid_form_is_taken_when_the_form_is_done(both: Both) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар «А»")
    await seed_teacher(h.sessionmaker, HOLDER, "Смирнова Анна Петровна")
    holder_reg, outcome = await register(h.sessionmaker, event_id, HOLDER)
    assert outcome == "registered"

    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer
    (consent,) = await press_and_wait(h, shown, t.BTN_WAITLIST, 1)
    (ask_name,) = await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    assert "Шаг 2 из 5" in ask_name.plain
    await h.restart_max()  # the bot restarts in the middle of the form
    org = await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
    assert "организаци" in org.plain
    position = await h.say(TEACHER_MAX, "МБОУ СОШ № 2")
    await press_and_wait(h, position, t.POSITIONS[0], 1)

    async with h.sessionmaker() as session:  # the seat is given back meanwhile
        repo = Repositories(session)
        seat = await session.get(Registration, holder_reg)
        assert seat is not None
        await repo.events.cancel(seat, datetime.now(UTC), promote=True)
        await repo.commit()

    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.user_writes(TEACHER_MAX, "8 (913) 777 66 55")
    mailing = (await h.max.wait_sent(TEACHER_MAX, before + 2, within=15))[-1]
    _, confirmation, _ics = await press_and_wait(h, mailing, t.BTN_MAIL_NO, 3)
    assert "Вы записаны" in confirmation.plain and "Семинар «А»" in confirmation.plain
    async with h.sessionmaker() as session:
        mine = TeacherProfile.full_name == "Соколова Марина Ивановна"
        profile = (await session.scalars(select(TeacherProfile).where(mine))).one()
        statuses = {r.id: r.status for r in await session.scalars(select(Registration))}
    assert profile.contact == "+7 913 777-66-55"
    assert sorted(statuses.values()) == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.REGISTERED,
    ]
