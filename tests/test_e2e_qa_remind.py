"""A teacher's registration over time — what an outside QA pass found, through the real bot
(Telegram, MAX and the web panel) on a frozen clock: a workshop's later meetings still
reminded, and told of a new place, once staff ticked the teacher present at the first; the
participation document of an evening past midnight names both days; a meeting dropped from a
workshop is taken off the teacher's phone calendar by the notice's .ics; a colleague's
attendance mark made meanwhile survives the panel's form and a stale button in the bot."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts.events import BTN_PROOF
from storage.db import SessionMaker
from storage.models import Broadcast, Event, EventStatus, RegistrationStatus, StoredFile
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, make_settings, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.events import register, registration_status, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, seed_max_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")
WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(  # type: ignore[arg-type]
        db_path, reminder_every_seconds=1, web_secret="panel-test-secret"
    )


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


def ics_events(data: bytes) -> dict[str, dict[str, str]]:
    """Each VEVENT of a calendar file, unfolded as RFC 5545 says: UID → its properties."""
    lines = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found[current["UID"]] = current
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current.setdefault(name, value)  # the alarm's DESCRIPTION comes after the event's
    return found


async def test_a_meeting_dropped_from_a_workshop_leaves_the_teachers_calendar(
    harness: BotHarness,
) -> None:
    """Three weekly meetings in the teacher's phone calendar (the .ics from «Вы записаны»);
    staff drop the third. The notice's file must take that meeting off the calendar (same UID,
    STATUS:CANCELLED) — a file without it leaves the old entry there, with its alarm."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    card = await h.say(TEACHER, f"/start event_{event_id}")
    await h.press(TEACHER, card, "✅ Записаться")
    await h.server.idle()
    (first,) = [m for m in h.server.drain(TEACHER.id) if m.document is not None]
    assert first.document is not None
    before = ics_events(first.document.data)
    assert len(before) == 3

    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Дата и время")
    warned = await h.say(ADMIN, "08.12.2026 15:00, 15.12.2026 15:00")
    assert "Занятий станет меньше: было 3, станет 2" in warned.text  # asked before dropping
    saved = await h.say(ADMIN, "08.12.2026 15:00, 15.12.2026 15:00")
    assert "Сохранено" in saved.text
    notice = await h.server.next_message(TEACHER.id, timeout=10)
    assert "Изменилось время" in notice.text and notice.document is not None
    after = ics_events(notice.document.data)
    assert set(after) == set(before)  # every entry the calendar has is answered for
    kept, dropped = sorted(after)[:2], sorted(after)[2]
    assert [after[uid]["STATUS"] for uid in kept] == ["CONFIRMED", "CONFIRMED"]
    assert after[dropped]["STATUS"] == "CANCELLED"
    assert after[dropped]["DTSTART"] == before[dropped]["DTSTART"] == "20261222T120000Z"
    assert int(after[dropped]["SEQUENCE"]) > int(before[dropped]["SEQUENCE"])


async def test_a_meeting_dropped_on_the_panel_leaves_the_teachers_calendar(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """The same through the web panel's whole form: the registered teacher's notice file
    cancels the meeting that is gone."""
    event_id = await seed_workshop(sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(sessionmaker, event_id, TEACHER)
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        csrf = await sign_in(client, settings, clock)
        page = await (await client.get(f"/web/events/{event_id}/edit")).text()
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        form |= {"starts": "08.12.2026 15:00, 15.12.2026 15:00", "description": "", "csrf": csrf}
        response = await client.post(f"/web/events/{event_id}/edit", data=form)
        assert "уведомление получат" in await response.text()
    finally:
        await client.close()
    async with sessionmaker() as session:
        (notice,) = (await session.scalars(select(Broadcast))).all()
        assert "Изменилось время" in notice.content
        (file,) = (await session.scalars(select(StoredFile))).all()
        after = ics_events(file.data)
    dropped = f"event-{event_id}-session-3@moc-bot"
    assert after[dropped]["STATUS"] == "CANCELLED"
    assert after[dropped]["DTSTART"] == "20261222T120000Z"


async def test_in_max_a_ticked_workshop_still_reminds_of_the_next_meeting(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock,
) -> None:  # fmt: skip
    """The same in MAX: a MAX admin ticks a MAX teacher at the first of three meetings from
    the card's «☑️ Присутствие»; the reminder of the second still reaches the teacher."""
    admin = MaxUser(50_000_000_001, "Анна", "Методист")
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, clock,
        reminder_every_seconds=1, max_admin_ids=str(admin.user_id),
    ):  # fmt: skip
        uid = await seed_max_teacher(sessionmaker, TEACHER_MAX)
        event_id = await seed_workshop(sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
        async with sessionmaker() as session:
            assert (await Repositories(session).events.register(event_id, uid)).outcome
            await session.commit()

        clock.set(FIRST + timedelta(minutes=10))
        max_server.bot_started(admin, f"event_{event_id}")
        shown = await max_server.wait_sent(admin, 2, within=15)  # the card, «Кто вы?»
        card = next(m for m in shown if "☑️ Присутствие" in str(m.attachments))
        max_server.press(admin, card, "☑️ Присутствие")
        marks = (await max_server.wait_sent(admin, 3, within=15))[2]
        edits = marks.edits
        max_server.press(admin, marks, "⬜ Соколова М.И.")
        for _ in range(100):
            if marks.edits > edits:
                break
            await asyncio.sleep(0.1)
        async with sessionmaker() as session:
            (registration,) = await Repositories(session).events.participants(event_id)
        assert registration.status == RegistrationStatus.ATTENDED

        before = len(max_server.sent_to(TEACHER_MAX))
        clock.set(FIRST + WEEK - timedelta(hours=23, minutes=50))
        (reminder,) = (await max_server.wait_sent(TEACHER_MAX, before + 1, within=15))[before:]
        assert "Напоминание: завтра в 15:00" in reminder.plain
        assert "занятие 2 из 3" in reminder.plain


async def test_the_panels_attendance_form_keeps_a_colleagues_tick_made_meanwhile(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """Two methodists mark one seminar: one opens the panel's list, the other ticks Петрова
    in the bot; the first ticks Сидоров and saves. Петрова's mark (and her document for the
    аттестация) must stay — the page never showed it, so its empty box is no «not present»."""
    event_id = await seed_workshop(sessionmaker, [FIRST])
    await seed_teacher(sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(sessionmaker, SECOND, "Петрова Ольга Ивановна")
    first, _ = await register(sessionmaker, event_id, TEACHER)
    second, _ = await register(sessionmaker, event_id, SECOND)
    clock.set(FIRST + timedelta(minutes=20))
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        csrf = await sign_in(client, settings, clock)
        page = await (await client.get(f"/web/events/{event_id}")).text()
        form = page.split('/attendance">', 1)[1].split("</form>", 1)[0]
        hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
        async with sessionmaker() as session:  # the colleague, in the bot, meanwhile
            assert await Repositories(session).events.mark_attended(second, True)
            await session.commit()
        posted = [*hidden, ("csrf", csrf), ("att", str(first))]  # what the browser sends
        response = await client.post(f"/web/events/{event_id}/attendance", data=posted)
        assert response.status == 200
    finally:
        await client.close()
    assert await registration_status(sessionmaker, first) == RegistrationStatus.ATTENDED
    assert await registration_status(sessionmaker, second) == RegistrationStatus.ATTENDED


async def test_a_stale_tick_button_in_the_bot_does_not_untick_a_colleagues_mark(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """A methodist opens «☑️ Присутствие» (Петрова ⬜); a colleague ticks her meanwhile; the
    first presses «⬜ Петрова О.И.» to tick her. The press means «present»: it must not take
    the colleague's mark off (a flip did), and the button then shows ✅."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST])
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    reg_id, _ = await register(h.sessionmaker, event_id, SECOND)
    clock.set(FIRST + timedelta(minutes=10))
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    async with h.sessionmaker() as session:  # the colleague, meanwhile
        assert await Repositories(session).events.mark_attended(reg_id, True)
        await session.commit()

    h.server.press(marks, "⬜ Петрова О.И.", user=ADMIN)
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED
    assert "✅ Петрова О.И." in h.server.messages[(ADMIN.id, marks.message_id)].inline_texts
    h.server.press(marks, "✅ Петрова О.И.", user=ADMIN)  # and a real untick still works
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.REGISTERED
    assert "⬜ Петрова О.И." in h.server.messages[(ADMIN.id, marks.message_id)].inline_texts


async def test_in_max_a_stale_tick_button_does_not_untick_a_colleagues_mark(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock,
) -> None:  # fmt: skip
    """The same in MAX: «⬜ Соколова М.И.» pressed after a colleague ticked her keeps her
    ticked, and the list redrawn shows ✅."""
    admin = MaxUser(50_000_000_001, "Анна", "Методист")
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, clock,
        max_admin_ids=str(admin.user_id),
    ):  # fmt: skip
        uid = await seed_max_teacher(sessionmaker, TEACHER_MAX)
        event_id = await seed_workshop(sessionmaker, [FIRST])
        async with sessionmaker() as session:
            result = await Repositories(session).events.register(event_id, uid)
            await session.commit()
        clock.set(FIRST + timedelta(minutes=10))
        max_server.bot_started(admin, f"event_{event_id}")
        shown = await max_server.wait_sent(admin, 2, within=15)
        card = next(m for m in shown if "☑️ Присутствие" in str(m.attachments))
        max_server.press(admin, card, "☑️ Присутствие")
        marks = (await max_server.wait_sent(admin, 3, within=15))[2]
        async with sessionmaker() as session:  # the colleague, meanwhile
            assert await Repositories(session).events.mark_attended(result.registration.id, True)
            await session.commit()

        edits = marks.edits
        max_server.press(admin, marks, "⬜ Соколова М.И.")
        for _ in range(100):
            if marks.edits > edits:
                break
            await asyncio.sleep(0.1)
        async with sessionmaker() as session:
            (registration,) = await Repositories(session).events.participants(event_id)
        assert registration.status == RegistrationStatus.ATTENDED
        assert "✅ Соколова М.И." in str(marks.attachments)
