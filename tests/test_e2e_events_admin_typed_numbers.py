"""A methodist answers the length and the seats of a new event the way people write them:
«1ч30» (it used to be read as one hour: the card said 15:00–16:00), «1 час 30 минут», «1:30»;
«25 человек», «20 мест». Through the real bot and the fake Bot API (the harness of
tests/test_e2e_events_admin.py)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Event
from tests.conftest import ADMIN, BotHarness
from tests.helpers.events import load_event, seed_event
from tests.test_e2e_events_admin import body, staff_message
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture


async def test_length_and_seats_with_their_units(harness: BotHarness) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, "Мастер-класс «Лепка»")
    await h.press(ADMIN, ask_kind, "Мастер-класс")
    await h.say(ADMIN, "25.03 15:00")
    ask_format = await h.say(ADMIN, "1ч30")
    assert "Формат" in body(ask_format)
    await h.press(ADMIN, ask_format, "Очно")
    await h.say(ADMIN, "Дом творчества, каб. 12")
    assert "До какого момента идёт запись" in body(await h.say(ADMIN, "25 человек"))
    await h.say(ADMIN, "без срока")
    preview = await h.say(ADMIN, "пропустить")
    assert "ср, 25 марта 2026, 15:00–16:30" in body(preview), body(preview)
    assert "осталось 25 из 25" in body(preview)
    assert "Опубликовано" in body(await h.press(ADMIN, preview, "✅ Опубликовать"))
    async with h.sessionmaker() as session:
        event = (await session.scalars(select(Event))).one()
    assert (event.duration_min, event.capacity) == (90, 25)


async def test_editing_the_length_in_hours_and_minutes(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, duration_min=60)
    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    for typed, minutes, shown in (("1 час 30 минут", 90, "15:00–16:30"), ("2:15", 135, "17:15")):
        await h.press(ADMIN, fields, "Длительность")
        saved = body(await h.say(ADMIN, typed))
        assert "Сохранено: Длительность" in saved and shown in saved
        assert (await load_event(h.sessionmaker, event_id)).duration_min == minutes
    await h.press(ADMIN, fields, "Число мест")
    assert "Сохранено: Число мест" in body(await h.say(ADMIN, "40 мест"))
    assert (await load_event(h.sessionmaker, event_id)).capacity == 40
