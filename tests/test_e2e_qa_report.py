"""A methodologist prepares the yearly report through the real bot (Telegram and MAX): the
period typed as people type it in Russian, and numbers that count a teacher once even when
they registered from both messengers."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts.events import BTN_PROOF
from storage.db import SessionMaker
from storage.models import Event, EventStatus, RegistrationStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.events import register, registration_status, seed_event
from tests.helpers.max_bot import answer_to, max_only_bot, say, start
from tests.helpers.max_both import TEACHER_MAX as MAX_TEACHER
from tests.helpers.max_both import Both, seed_max_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # mid academic year 2026-2027
YEAR = "Отчёт с 01.09.2025 по 31.08.2026"
STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")
IVANOVA_MAX = MaxUser(52_000_000_777, "Мария", "Иванова")
OTHER = FakeUser(id=2010, first_name="Олег", last_name="Петров")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def test_telegram_report_reads_the_period_as_a_methodologist_types_it(
    harness: BotHarness,
) -> None:
    h = harness
    for typed in (
        "01.09.2025 31.08.2026", "01.09.2025–31.08.2026", "01.09.2025 - 31.08.2026",
        "2025-2026", "с 1 сентября 2025 по 31 августа 2026", "2025-09-01 2026-08-31",
    ):  # fmt: skip
        sheet = await h.say(ADMIN, f"/report {typed}")
        assert sheet.document is not None, (typed, sheet.text)
        assert sheet.document.filename == "otchet-2025-09-01-2026-08-31.xlsx", typed
        assert YEAR in sheet.text, typed

    wrong_day = await h.say(ADMIN, "/report 01.09.2025 30.02.2026")
    assert wrong_day.document is None
    assert "Конец периода: Такой даты нет: 30.02.2026" in wrong_day.text
    assert "/report 01.09.2025 31.08.2026" in wrong_day.text  # and how to write it
    reversed_days = await h.say(ADMIN, "/report 31.08.2026 01.09.2025")
    assert reversed_days.text == "Конец периода раньше начала: проверьте даты."
    for nonsense in ("2025-2027", "вчера", "0025"):
        usage = await h.say(ADMIN, f"/report {nonsense}")
        assert usage.document is None and usage.text.startswith("Отчёт за период"), nonsense
    for calendar in ("2025", "2025 год", "за 2025 г."):  # the yearly form in December
        sheet = await h.say(ADMIN, f"/report {calendar}")
        assert sheet.document is not None, (calendar, sheet.text)
        assert sheet.document.filename == "otchet-2025-01-01-2025-12-31.xlsx", calendar
        assert "Отчёт с 01.01.2025 по 31.12.2025" in sheet.text, calendar


async def test_max_report_reads_the_period_as_a_methodologist_types_it(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        (sheet,) = await say(fake, STAFF_MAX, "/report 01.09.2025–31.08.2026")
        assert [a["type"] for a in sheet.attachments] == ["file"]
        assert YEAR in sheet.plain
        (year,) = await say(fake, STAFF_MAX, "/report 2025-2026")
        assert YEAR in year.plain
        (calendar,) = await say(fake, STAFF_MAX, "/report 2026")
        assert "Отчёт с 01.01.2026 по 31.12.2026" in calendar.plain
        (wrong,) = await say(fake, STAFF_MAX, "/report 31.02.2026 31.08.2026")
        assert not wrong.attachments
        assert "Начало периода: Такой даты нет: 31.02.2026" in wrong.plain


async def _profile(sm: SessionMaker, uid: int, name: str, contact: str, org: str) -> None:
    async with sm() as session:
        repo = Repositories(session)
        await repo.users.touch(uid, name.split()[1], name.split()[0], None)
        await repo.profiles.save(
            uid, full_name=name, organisation=org, position="Педагог", contact=contact,
            mailing_consent=False,
        )  # fmt: skip
        await repo.commit()


async def _attended(sm: SessionMaker, event_id: int, uid: int) -> None:
    async with sm() as session:
        repo = Repositories(session)
        result = await repo.events.register(event_id, uid)
        assert await repo.events.mark_attended(result.registration.id, True)
        await repo.commit()


def _summary(data: bytes) -> dict[str, Any]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


async def test_a_teacher_in_telegram_and_max_is_one_participant(harness: BotHarness) -> None:
    """Иванова registered for one seminar from Telegram and for another from MAX (one
    profile in each, the same ФИО and phone): one participant, one organisation; Петров,
    another teacher of the same school, is a second one."""
    h, sm = harness, harness.sessionmaker
    async with sm() as session:
        in_max = await Repositories(session).channel_ids.internal(
            "max", "user", IVANOVA_MAX.user_id
        )
        await session.commit()
    school = "МБОУ СОШ № 2"
    await _profile(sm, TEACHER.id, "Иванова Мария Петровна", "+7 900 123-45-67", school)
    await _profile(sm, in_max, "Иванова  Мария Петровна", "8 (900) 123-45-67", school)
    await _profile(sm, OTHER.id, "Петров Олег Ильич", "+7 900 765-43-21", school)
    autumn = await seed_event(sm, starts_at=datetime(2025, 10, 7, 12, tzinfo=UTC))
    spring = await seed_event(sm, starts_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    await _attended(sm, autumn, TEACHER.id)
    await _attended(sm, spring, in_max)
    await _attended(sm, spring, OTHER.id)

    sheet = await h.say(ADMIN, "/report 2025-09-01 2026-08-31")
    assert sheet.document is not None
    assert "записей 3, участников 2, присутствовали 3" in sheet.text
    summary = _summary(sheet.document.data)
    assert summary["Уникальных участников"] == 2
    assert summary["Организаций"] == 1
    assert summary["Педагогов, присутствовавших хотя бы раз"] == 2
    assert summary["Организаций, чьи педагоги присутствовали"] == 1
    assert summary["Telegram"] == 2 and summary["MAX"] == 1  # registrations by messenger


async def test_mid_year_attendance_is_rated_over_the_events_already_held(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    """In December both teachers came to the October seminar; two more have seats at the
    February one, which has not happened yet: attendance so far is 100 %, not 50 %."""
    h, sm = harness, harness.sessionmaker
    people = [(TEACHER, "Иванова Мария Петровна"), (OTHER, "Петров Олег Ильич")]
    later = [FakeUser(id=2011, first_name="Инна"), FakeUser(id=2012, first_name="Олег")]
    people += [(later[0], "Сидорова Инна Ивановна"), (later[1], "Кузнецов Олег Петрович")]
    for n, (user, name) in enumerate(people):
        await _profile(sm, user.id, name, f"+7 900 000-00-1{n}", "МБОУ СОШ № 2")
    held = await seed_event(sm, starts_at=datetime(2026, 10, 7, 12, tzinfo=UTC))
    ahead = await seed_event(sm, starts_at=datetime(2027, 2, 10, 12, tzinfo=UTC))
    for user, _ in people[:2]:
        await _attended(sm, held, user.id)
    async with sm() as session:
        for user in later:
            await Repositories(session).events.register(ahead, user.id)
        await session.commit()

    sheet = await h.say(ADMIN, "/report")  # the academic year 2026-2027
    assert sheet.document is not None
    assert "записей 4, участников 4, присутствовали 2" in sheet.text
    summary = _summary(sheet.document.data)
    assert summary["Присутствовали"] == 2
    assert summary["Уникальных участников"] == 4  # seats, the February two included
    assert summary["Педагогов, присутствовавших хотя бы раз"] == 2  # who actually came
    (rate,) = (value for label, value in summary.items() if str(label).startswith("Доля"))
    assert rate == 1.0

    panel = await client_for(settings, sm, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report")).text()
        assert 'id="fig-rate">100,0&nbsp;%' in page
    finally:
        await panel.close()


async def test_max_teacher_gets_the_participation_document_of_a_workshop(
    both: Both,
) -> None:
    """A three-meeting workshop with an HTML-looking title, held last month, the MAX teacher
    marked present: the confirmation names every meeting and 4,5 hours, the title as typed;
    a seminar still ahead, and one they cancelled, give no document."""
    h, sm = both, both.sessionmaker
    uid = await seed_max_teacher(sm, MAX_TEACHER)
    now = datetime.now(UTC).replace(microsecond=0)
    first = (now - timedelta(days=40)).replace(hour=12, minute=0, second=0)
    title = "<b>Проекты</b> & «=HYPERLINK(1)»"
    async with sm() as session:
        repo = Repositories(session)
        workshop = Event(
            title=title, kind="workshop", starts_at=first, duration_min=90, format="offline",
            place="МОЦ", capacity=10, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, [first + timedelta(days=7 * n) for n in range(3)])
        await repo.commit()
    await _attended(sm, workshop.id, uid)
    async with sm() as session:  # at every meeting: the document states those attended
        repo = Repositories(session)
        seat = await repo.events.registration(workshop.id, uid)
        assert seat is not None
        for n in range(3):
            await repo.events.mark_attended(seat.id, True, first + timedelta(days=7 * n))
        await repo.commit()
    ahead = await seed_event(sm, starts_at=now + timedelta(days=5), title="Будущий семинар")
    dropped = await seed_event(sm, starts_at=now - timedelta(days=3), title="Отменённая запись")
    async with sm() as session:
        repo = Repositories(session)
        await repo.events.register(ahead, uid)
        mine = (await repo.events.register(dropped, uid)).registration
        await repo.events.cancel(mine, now - timedelta(days=10), promote=True)
        await repo.commit()

    card = await h.start(MAX_TEACHER, f"event_{workshop.id}")
    assert title in card.plain
    before = len(h.max.sent_to(MAX_TEACHER))
    await h.press(MAX_TEACHER, card, BTN_PROOF)
    text, _ = (await h.max.wait_sent(MAX_TEACHER, before + 2))[before:]
    assert "Соколова Марина Ивановна" in text.plain and title in text.plain
    assert "4,5 ч" in text.plain
    data = next(d for n, d in h.max.uploads.values() if n.endswith(".docx"))
    docx = Document(io.BytesIO(data))
    words = "\n".join(p.text for p in docx.paragraphs)
    words += "\n".join(c.text for t in docx.tables for row in t.rows for c in row.cells)
    assert f"«{title}»" in words and "4,5" in words
    for n in range(3):
        day = first + timedelta(days=7 * n)
        assert f"{day.astimezone(h.settings.tz).day} " in words

    for event_id in (ahead, dropped):  # forged presses: nothing to confirm
        shown = await h.start(MAX_TEACHER, f"event_{event_id}")
        assert BTN_PROOF not in str(shown.buttons())
        before = len(h.max.sent_to(MAX_TEACHER))
        pressed = h.max.press_payload(MAX_TEACHER, shown, f"ev:proof:{event_id}")
        said = await answer_to(h.max, pressed)
        assert said.get("notification"), said
        await asyncio.sleep(0.3)
        assert not [m for m in h.max.sent_to(MAX_TEACHER)[before:] if m.attachments]


async def test_one_school_typed_in_another_case_is_one_organisation(harness: BotHarness) -> None:
    """Two teachers picked «МБОУ СОШ № 2», a third typed «мбоу сош № 2» on a phone: the
    report has one school with three participants, spelled as most spelled it."""
    h, sm = harness, harness.sessionmaker
    people = [(TEACHER, "МБОУ СОШ № 2"), (OTHER, "мбоу сош № 2")]
    people.append((FakeUser(id=2013, first_name="Инна"), "МБОУ СОШ № 2"))
    seminar = await seed_event(sm, starts_at=datetime(2026, 10, 7, 12, tzinfo=UTC))
    for n, (user, school) in enumerate(people):
        await _profile(sm, user.id, f"Учитель{n} {user.first_name}", f"+7 900 111-11-1{n}", school)
        await _attended(sm, seminar, user.id)

    sheet = await h.say(ADMIN, "/report 2026-09-01 2027-08-31")
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(sheet.document.data))
    rows = list(book["По организациям"].iter_rows(min_row=2, values_only=True))
    assert rows == [("МБОУ СОШ № 2", 3)]
    assert _summary(sheet.document.data)["Организаций"] == 1


async def _alert(h: BotHarness, message: SentMessage, data: str, user: FakeUser) -> str:
    """Press (forged or real) button data; the text of the answer to this very press."""
    update = h.server.press_data(message, data, user=user)
    query_id = update["callback_query"]["id"]
    answer = await h.server.wait_for(
        "answerCallbackQuery", lambda call: call.params.get("callback_query_id") == query_id
    )
    return str(answer.params.get("text") or "")


async def test_no_attendance_nor_document_for_an_event_called_off(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    """The seminar of 5 December was called off the day before. On the 6th a methodologist
    ticking the week's attendance finds no «☑️ Присутствие» under it, and an old list, a forged
    button or the panel's form mark nobody: a mark would hand the teacher a participation
    document for a day that never happened. A mark left from before gives no document."""
    h, sm = harness, harness.sessionmaker
    await _profile(sm, TEACHER.id, "Иванова Мария Петровна", "+7 900 123-45-67", "СОШ № 2")
    off = await seed_event(sm, starts_at=datetime(2026, 12, 5, 7, tzinfo=UTC))
    reg_id, _ = await register(sm, off, TEACHER)
    async with sm() as session:
        await Repositories(session).events.set_status(off, EventStatus.CANCELLED)
        await session.commit()

    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"ev:card:{off}", user=ADMIN)
    await h.server.idle()
    card = h.server.messages[(ADMIN.id, anchor.message_id)]
    assert "☑️ Присутствие" not in card.inline_texts and "👥 Участники" in card.inline_texts
    off_words = "Мероприятие отменено — отмечать присутствие нельзя."
    assert await _alert(h, anchor, f"eva:attend:{off}", ADMIN) == off_words
    assert await _alert(h, anchor, f"att:{reg_id}:0", ADMIN) == off_words
    assert await registration_status(sm, reg_id) == RegistrationStatus.REGISTERED

    panel = await client_for(settings, sm, RecordingMessenger(), clock)
    try:
        csrf = await sign_in(panel, settings, clock)
        page = await (await panel.get(f"/web/events/{off}")).text()
        assert off_words in page and 'name="att"' not in page
        form = {"att": reg_id, "csrf": csrf}
        sent = await panel.post(f"/web/events/{off}/attendance", data=form)
        assert off_words in await sent.text()
    finally:
        await panel.close()
    assert await registration_status(sm, reg_id) == RegistrationStatus.REGISTERED

    async with sm() as session:  # a mark made before this was refused
        assert await Repositories(session).events.mark_attended(reg_id, True)
        await session.commit()
    mine = await h.say(TEACHER, "/my_events")
    said = await _alert(h, mine, f"ev:proof:{off}", TEACHER)
    assert said == "Мероприятие отменено — подтверждения участия по нему нет."
    h.server.press_data(mine, f"ev:card:{off}", user=TEACHER)
    await h.server.idle()
    shown = h.server.messages[(TEACHER.id, mine.message_id)]
    assert "Мероприятие отменено" in shown.text
    assert BTN_PROOF not in shown.inline_texts
    assert not [m for m in h.server.sent_to(TEACHER.id) if m.document is not None]


async def test_max_staff_mark_nobody_at_an_event_called_off(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    off = await seed_event(sessionmaker, starts_at=datetime(2026, 12, 5, 7, tzinfo=UTC))
    async with sessionmaker() as session:
        await Repositories(session).events.set_status(off, EventStatus.CANCELLED)
        await session.commit()
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        card = await start(fake, STAFF_MAX, f"event_{off}")
        assert "☑️ Присутствие" not in str(card.buttons()) and "Участники" in str(card.buttons())
        said = await answer_to(fake, fake.press_payload(STAFF_MAX, card, f"eva:attend:{off}"))
        assert said.get("notification") == "Мероприятие отменено — отмечать присутствие нельзя."
