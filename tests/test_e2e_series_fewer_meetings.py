"""A methodist moves one meeting of a three-meeting workshop and types only its new date. The
bot used to take that as the whole series: two meetings gone, and every participant told at
once. Now it warns how many meetings there will be and changes nothing; the same answer sent
again means «yes». Telegram (the harness of tests/test_e2e_events_admin.py) and MAX (that of
tests/test_e2e_max_staff_event_form.py), through the real bot and the fake servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.texts import events_admin as t
from storage.db import SessionMaker
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.helpers.events import load_event, register, seed_teacher
from tests.helpers.max_bot import start
from tests.helpers.max_both import TEACHER_MAX, seed_max_teacher
from tests.test_e2e_events_admin import body, staff_message
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture
from tests.test_e2e_max_staff_event_form import ADMIN_MAX, Max
from tests.test_e2e_max_staff_event_form import bot as bot  # a fixture
from tests.test_e2e_max_staff_events import pressed

WEEK = timedelta(days=7)
FIRST = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # 15:00 in Moscow; the clock: 10.03.2026


async def seed_workshop(sm: SessionMaker, first: datetime) -> int:
    async with sm() as session:
        repo = Repositories(session)
        event = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=first, duration_min=90,
            format="offline", place="ул. Ленина, 1", capacity=10, taken=0,
            status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(event, [first, first + WEEK, first + 2 * WEEK])
        await repo.commit()
        return event.id


async def test_one_date_typed_for_a_series_is_asked_about_first(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_workshop(h.sessionmaker, FIRST)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, event_id, TEACHER)

    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Дата и время")
    warned = body(await h.say(ADMIN, "19.03 15:00"))  # the first meeting moved a day
    assert "Занятий станет меньше: было 3, станет 1" in warned and "19.03.2026 15:00" in warned
    await h.server.idle()
    assert h.server.drain(TEACHER.id) == []  # nobody told of anything
    event = await load_event(h.sessionmaker, event_id)
    assert len(event.sessions) == 3 and event.starts_at == FIRST

    saved = await h.say(ADMIN, "19.03 15:00, 25.03 15:00, 01.04 15:00")  # the whole series
    assert "Сохранено: Дата и время" in body(saved)
    notice = await h.server.next_message(TEACHER.id)
    assert "Изменилось время" in body(notice) and "чт, 19 марта 2026" in body(notice)
    event = await load_event(h.sessionmaker, event_id)
    assert [s.starts_at.day for s in event.sessions] == [19, 25, 1]
    told = {body(await h.server.next_message(ADMIN.id)) for _ in range(2)}  # either order
    assert any("отправляется уведомление" in text for text in told)
    assert any("Доставлено: 1 из 1" in text for text in told)

    await h.press(ADMIN, fields, "Дата и время")  # now meant: two meetings instead of three
    assert "было 3, станет 2" in body(await h.say(ADMIN, "19.03 15:00, 25.03 15:00"))
    assert "Сохранено" in body(await h.say(ADMIN, " 19.03 15:00, 25.03 15:00"))  # again: yes
    event = await load_event(h.sessionmaker, event_id)
    assert [s.starts_at.day for s in event.sessions] == [19, 25]


async def test_the_same_question_in_max(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    first = (datetime.now(UTC) + timedelta(days=10)).replace(hour=12, minute=0, second=0)
    first = first.replace(microsecond=0)
    event_id = await seed_workshop(h.sessionmaker, first)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()

    card = await start(h.fake, admin, f"event_{event_id}", n=2)
    (pick,) = await pressed(h.fake, admin, card, "✏️ Изменить", 1)
    (ask,) = await pressed(h.fake, admin, pick, t.FIELD_LABELS["starts"], 1)
    assert "Новые дата и время" in ask.plain
    moved = (first + timedelta(days=1)).astimezone(h.settings.tz).strftime("%d.%m.%Y %H:%M")
    (warned,) = await h.says(admin, moved)
    assert "Занятий станет меньше: было 3, станет 1" in warned.plain
    assert len((await load_event(h.sessionmaker, event_id)).sessions) == 3
    saved, notified = await h.says(admin, moved, n=2)  # the same answer: yes
    assert "Сохранено: Дата и время" in saved.plain
    assert "Участникам отправляется уведомление" in notified.plain
    assert len((await load_event(h.sessionmaker, event_id)).sessions) == 1
