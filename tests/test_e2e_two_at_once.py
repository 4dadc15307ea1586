"""A teacher signs up for a seminar at the hour of another they already hold a seat at, in
Telegram and in MAX: the bot said «Вы записаны» as if nothing were wrong, and the teacher kept
two seats though they can sit in one — somebody on the waiting list never got the other. Now
the confirmation names the event at the same time and says how to give that seat back."""

from __future__ import annotations

from datetime import timedelta

from bot.texts import events as t
from storage.repositories import Repositories
from tests.conftest import TEACHER
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import SOON, TEACHER_MAX, Both, press_and_wait, seed_max_teacher

CLASH = "В это же время у вас другая запись"


async def seed(h: Both) -> tuple[int, int, int]:
    """«Игры» at SOON (90 minutes), «Проекты» half an hour later, «Чтение» the next day."""
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    first = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Игры» <1>")
    clash = await seed_event(
        h.sessionmaker, starts_at=SOON + timedelta(minutes=30), title="Семинар «Проекты»"
    )
    later = await seed_event(
        h.sessionmaker, starts_at=SOON + timedelta(days=1), title="Семинар «Чтение»"
    )
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for who in (TEACHER.id, uid):
            await repo.events.register(first, who)
        await repo.commit()
    return clash, later, uid


async def test_signing_up_at_the_hour_of_another_seat_is_pointed_out(both: Both) -> None:
    h = both
    clash, later, _ = await seed(h)

    h.tg.user_sends(f"/start event_{clash}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    h.tg.press(card, t.BTN_REGISTER, user=TEACHER)
    said = await h.tg.next_message(TEACHER.id)
    while "Вы записаны" not in (said.text or ""):
        said = await h.tg.next_message(TEACHER.id)
    assert CLASH in (said.text or "") and "Семинар «Игры» &lt;1&gt;" not in (said.text or "")
    assert "«Семинар «Игры» <1>»" in (said.text or ""), said.text

    shown = await h.start(TEACHER_MAX, f"event_{clash}")
    confirmation, *_ = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert CLASH in confirmation.plain and "«Семинар «Игры» <1>»" in confirmation.plain

    shown = await h.start(TEACHER_MAX, f"event_{later}")  # the next day: nothing to say
    confirmation, *_ = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert "Вы записаны" in confirmation.plain and CLASH not in confirmation.plain
