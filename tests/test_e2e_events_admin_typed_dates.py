"""A methodist types the start of a new event the way people write it: a day without a time
(«15.03», «25 марта», «завтра»), a time without a day («10:00»), a full hour after «в»
(«завтра в 10»). Through the real bot and the fake Bot API (the harness of
tests/test_e2e_events_admin.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Event
from tests.conftest import ADMIN, BotHarness
from tests.test_e2e_events_admin import body
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture

UNREADABLE = "Не понял дату"


async def test_a_day_or_a_time_alone_is_told_what_is_missing(harness: BotHarness) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, "Мастер-класс «Лепка из глины»")
    await h.press(ADMIN, ask_kind, "Мастер-класс")

    for day in ("15.03", "25 марта", "завтра", "в пятницу"):
        told = body(await h.say(ADMIN, day))
        assert UNREADABLE not in told and "Не хватает времени" in told, told
        assert f"{day} 10:00" in told  # an example made of the methodist's own day
    told = body(await h.say(ADMIN, "10:30"))
    assert UNREADABLE not in told and "Не хватает даты" in told and "завтра 10:30" in told
    assert UNREADABLE in body(await h.say(ADMIN, "после обеда"))  # nothing to go on: as before

    ask_duration = await h.say(ADMIN, "завтра в 10")  # 10:00 tomorrow
    assert "90 мин" in ask_duration.inline_texts
    ask_format = await h.press(ADMIN, ask_duration, "90 мин")
    await h.press(ADMIN, ask_format, "Очно")
    for answer in ("Дом творчества, каб. 12", "12", "без срока", "пропустить"):
        await h.say(ADMIN, answer)
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Event))).first() is None  # still a draft
    preview = h.server.sent_to(ADMIN.id)[-1]
    assert "ср, 11 марта 2026, 10:00–11:30" in body(preview)
    assert "Опубликовано" in body(await h.press(ADMIN, preview, "✅ Опубликовать"))
    async with h.sessionmaker() as session:
        event = (await session.scalars(select(Event))).one()
    assert event.starts_at == datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # 10:00 in Moscow


async def test_an_hour_after_v_in_the_deadline_and_later_meetings(harness: BotHarness) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, "Мастерская «Проекты»")
    await h.press(ADMIN, ask_kind, "Педагогическая мастерская")
    ask_sessions = await h.say(ADMIN, "16.03 в 15 ч")
    assert "16.03.2026 15:00" in body(ask_sessions)
    assert "Не хватает времени" in body(await h.say(ADMIN, "23.03, 30.03"))
    ask_duration = await h.say(ADMIN, "23.03 в 15, 30.03 в 15")
    assert "90 мин" in ask_duration.inline_texts


async def test_short_month_time_first_and_a_comma_before_the_time(harness: BotHarness) -> None:
    """«15 дек. 10:00», «Завтра, 10:00», «в 12:00 18/03» were «Не понял дату»; a comma still
    separates the meetings of a workshop."""
    h = harness
    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, "Мастерская «Проекты»")
    await h.press(ADMIN, ask_kind, "Педагогическая мастерская")
    ask_sessions = body(await h.say(ADMIN, "Завтра, 10:00"))
    assert UNREADABLE not in ask_sessions and "11.03.2026 10:00" in ask_sessions
    ask_duration = await h.say(ADMIN, "13 мар, 10:00, в 12:00 18/03; 15 дек. 10:00")
    assert "90 мин" in ask_duration.inline_texts, body(ask_duration)
    ask_format = await h.press(ADMIN, ask_duration, "90 мин")
    await h.press(ADMIN, ask_format, "Очно")
    for answer in ("Дом творчества, каб. 12", "12", "без срока", "пропустить"):
        await h.say(ADMIN, answer)
    preview = body(h.server.sent_to(ADMIN.id)[-1])
    for day in ("11 марта", "13 марта", "18 марта", "15 декабря"):
        assert day in preview, preview
    assert "Опубликовано" in body(
        await h.press(ADMIN, h.server.sent_to(ADMIN.id)[-1], "✅ Опубликовать")
    )
    async with h.sessionmaker() as session:
        event = (await session.scalars(select(Event))).one()
    assert event.starts_at == datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
