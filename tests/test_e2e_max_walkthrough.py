"""What a teacher in MAX notices on the way: a full seminar's card does not offer the waiting
list to who already holds the last seat, and every step of the first-time form says which
step it is."""

from __future__ import annotations

from bot.texts import events as t
from tests.test_e2e_events_admin import seed_event
from tests.test_e2e_max_private import Both
from tests.test_e2e_max_private import both as both  # a fixture
from tests.test_e2e_max_private import max_server as max_server  # a fixture
from tests.test_e2e_max_teachers import SOON, TEACHER_MAX, press_and_wait, seed_max_teacher


async def test_who_took_the_last_seat_is_not_offered_the_waiting_list(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert t.SEATS_LEFT.format(left=1, capacity=1) in shown.plain
    _confirmation, _ics, card = await press_and_wait(h, shown, t.BTN_REGISTER, 3)
    assert "Вы: записаны" in card.plain
    assert "мест нет" in card.plain and "лист ожидания" not in card.plain, card.plain


async def test_the_organisation_step_is_numbered_like_the_others(both: Both) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар для новичков")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer
    (first,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    assert "Шаг 1 из 5" in first.plain
    org = await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
    assert "Шаг 2 из 5" in org.plain, org.plain
