"""A teacher's registration over time — what an outside QA pass found, through the real bot on
a frozen clock: a workshop's later meetings still reminded once staff ticked the first one."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.texts.events import BTN_PROOF
from storage.db import SessionMaker
from storage.models import Event, EventStatus, RegistrationStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, registration_status, seed_teacher

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")
WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, reminder_every_seconds=1)  # type: ignore[arg-type]


async def seed_workshop(sm: SessionMaker, starts: list[datetime], **fields: object) -> int:
    async with sm() as session:
        repo = Repositories(session)
        values: dict[str, object] = {
            "title": "Практикум «Робототехника»", "kind": "workshop", "starts_at": starts[0],
            "duration_min": 90, "format": "offline", "place": "ул. Ленина, 1, каб. 5",
            "capacity": 10, "taken": 0, "status": EventStatus.PUBLISHED,
        }  # fmt: skip
        event = await repo.events.add(Event(**{**values, **fields}), starts)
        await repo.commit()
        return event.id


async def test_a_workshop_ticked_at_its_first_meeting_still_reminds_of_the_next(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """Three weekly meetings; staff tick the teacher present at the first. The second and
    third are still ahead — the teacher must still be reminded of them, as before the tick."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)

    clock.set(FIRST + timedelta(minutes=10))  # the first meeting is on: staff tick
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED
    before = len(h.server.sent_to(TEACHER.id))

    clock.set(FIRST + WEEK - timedelta(hours=23, minutes=50))  # a day before the second
    reminder = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Напоминание: завтра в 15:00" in reminder.text
    assert "занятие 2 из 3" in reminder.text and "Робототехника" in reminder.text

    clock.set(FIRST + 2 * WEEK - timedelta(minutes=55))  # an hour before the third
    hour = await h.server.next_message(TEACHER.id, timeout=10)
    assert "через час, в 15:00" in hour.text and "занятие 3 из 3" in hour.text
    assert len(h.server.sent_to(TEACHER.id)) >= before + 2


async def test_a_new_place_for_a_workshop_under_way_is_told_to_everyone_seated(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """The first of three meetings is over (one teacher ticked present, one not); the room
    for the other two changes. Both hold seats for those meetings and must be told, with the
    calendar file — not left to find the old room locked."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    await register(h.sessionmaker, event_id, TEACHER)
    await register(h.sessionmaker, event_id, SECOND)

    clock.set(FIRST + timedelta(hours=3))
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()
    h.server.drain(TEACHER.id), h.server.drain(SECOND.id)

    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Место / ссылка")
    saved = await h.say(ADMIN, "ул. Мира, 5, актовый зал")
    assert "Сохранено: Место" in saved.text
    for user in (TEACHER, SECOND):
        notice = await h.server.next_message(user.id, timeout=10)
        assert "Изменилось место" in notice.text and "ул. Мира, 5, актовый зал" in notice.text
        assert notice.document is not None and notice.document.filename.endswith(".ics")


def docx_words(data: bytes) -> dict[str, str]:
    """The participation document's table: label → value."""
    document = Document(io.BytesIO(data))
    return {row.cells[0].text: row.cells[1].text for t in document.tables for row in t.rows}


async def test_the_document_of_an_evening_past_midnight_names_both_days(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """«Ночь профориентации», 20:00 on 7 December to 2:00 on the 8th. The аттестация
    commission reads «Дата проведения»: it must not say the 7th alone."""
    h = harness
    start = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 20:00 in Moscow
    event_id = await seed_workshop(
        h.sessionmaker, [start], title="Ночь профориентации", kind="seminar", duration_min=360
    )
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)
    async with h.sessionmaker() as session:
        await Repositories(session).events.mark_attended(reg_id, True)
        await session.commit()

    clock.set(start + timedelta(hours=7))
    card = await h.say(TEACHER, f"/start event_{event_id}")
    h.server.press(card, BTN_PROOF, user=TEACHER)
    proof = await h.server.next_message(TEACHER.id)
    assert "7 декабря 2026" in proof.text and "8 декабря 2026" in proof.text
    document = await h.server.next_message(TEACHER.id)
    assert document.document is not None
    table = docx_words(document.document.data)
    assert "7 декабря 2026" in table["Дата проведения"]
    assert "8 декабря 2026" in table["Дата проведения"]
    assert table["Объём, часов"] == "6"


async def test_the_document_of_an_evening_ending_at_midnight_names_one_day(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """20:00 to 0:00 is held on one day: the document does not add the next."""
    h = harness
    start = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    event_id = await seed_workshop(h.sessionmaker, [start], duration_min=240)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)
    async with h.sessionmaker() as session:
        await Repositories(session).events.mark_attended(reg_id, True)
        await session.commit()

    clock.set(start + timedelta(hours=5))
    card = await h.say(TEACHER, f"/start event_{event_id}")
    h.server.press(card, BTN_PROOF, user=TEACHER)
    await h.server.next_message(TEACHER.id)
    document = await h.server.next_message(TEACHER.id)
    assert document.document is not None
    assert docx_words(document.document.data)["Дата проведения"] == "пн, 7 декабря 2026"
