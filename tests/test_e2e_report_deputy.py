"""A deputy director prepares the МОЦ's yearly report for the municipal education department
through the real bot: /report with the period typed as she types it, and the questions parents
asked the bot counted as she would count them."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.core.clock import FrozenClock, SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import faq_learn as shot
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeFile, FakeUser, SentMessage
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import max_only_bot, say
from tests.helpers.max_both import Both
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

CODE = re.compile(r"Код: ([A-Z0-9]{4}-[A-Z0-9]{4})")  # the /move code as the bot gives it
STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")
QUESTIONS = "Вопросы и рассылки"


def _this_year() -> int:
    """The calendar year of the rows the bot writes now (their moments are the database's)."""
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).year


def _rows(sheet: SentMessage) -> dict[str, Any]:
    assert sheet.document is not None, sheet.text
    book = load_workbook(io.BytesIO(sheet.document.data))
    return {r[0]: r[1] for r in book[QUESTIONS].iter_rows(values_only=True) if r and r[0]}


async def test_a_long_question_and_a_screenshot_are_questions_to_the_bot(
    harness: BotHarness, settings: Settings
) -> None:
    """A parent wrote the whole story in one long message (the bot asked to put it shorter)
    and sent a screenshot of an error without a word: two questions the bot did not answer
    itself. The yearly report left both out of «Вопросов боту»."""
    h = harness
    story = "Здравствуйте, у нас проблема с сертификатом дополнительного образования. " * 20
    long_reply = await h.say(PARENT, story)
    assert "Сообщение очень длинное" in long_reply.text
    h.server.files["shot"] = FakeFile("shot", "u-shot", "photo.jpg", b"\x89PNG", None, "p/0")
    photo = {"file_id": "shot", "file_unique_id": "u-shot", "width": 800, "height": 600}
    h.server.user_sends(None, user=PARENT, extra={"photo": [photo]})
    offer = await h.server.next_message(PARENT.id)
    assert offer.text == shot.SHOT_NO_CAPTION

    rows = _rows(await h.say(ADMIN, f"/report {_this_year()}"))
    assert rows["Вопросов боту"] == 2
    assert rows["бот не понял"] == 2
    assert rows["бот ответил сам"] == 0

    clock = SystemClock()  # the panel's «Сводка» for the same year counts them alike
    panel = await client_for(settings, h.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, FrozenClock(clock.now()))
        page = await (await panel.get(f"/web/summary?period={_this_year()}")).text()
        assert "не понял: 2</li>" in page
    finally:
        await panel.close()


SCHOOL_YEAR = ("otchet-2025-09-01-2026-08-31.xlsx", "Отчёт с 01.09.2025 по 31.08.2026")


async def test_telegram_report_reads_a_period_with_до_and_a_named_school_year(
    harness: BotHarness,
) -> None:
    """«с 01.09.2025 до 31.05.2026», «2025-2026 учебный год», «2026г.» got the usage text."""
    h = harness
    for typed in ("с 01.09.2025 до 31.05.2026", "01.09.2025 до 31.05.2026"):
        sheet = await h.say(ADMIN, f"/report {typed}")
        assert sheet.document is not None, (typed, sheet.text)
        assert sheet.document.filename == "otchet-2025-09-01-2026-05-31.xlsx", typed
        assert "Отчёт с 01.09.2025 по 31.05.2026" in sheet.text, typed
    for typed in ("2025-2026 учебный год", "за 2025/2026 уч. год", "2025–2026 гг."):
        sheet = await h.say(ADMIN, f"/report {typed}")
        assert sheet.document is not None, (typed, sheet.text)
        assert (sheet.document.filename, SCHOOL_YEAR[1] in sheet.text) == (SCHOOL_YEAR[0], True)
    calendar = await h.say(ADMIN, "/report 2026г.")
    assert calendar.document is not None, calendar.text
    assert "Отчёт с 01.01.2026 по 31.12.2026" in calendar.text


async def test_max_report_reads_a_period_with_до_and_a_named_school_year(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        (sheet,) = await say(fake, STAFF_MAX, "/report с 01.09.2025 до 31.05.2026")
        assert [a["type"] for a in sheet.attachments] == ["file"]
        assert "Отчёт с 01.09.2025 по 31.05.2026" in sheet.plain
        (year,) = await say(fake, STAFF_MAX, "/report 2025-2026 учебный год")
        assert [a["type"] for a in year.attachments] == ["file"]
        assert SCHOOL_YEAR[1] in year.plain


ANNA_TG = FakeUser(id=2401, first_name="Анна", last_name="Кузнецова")
ANNA_MAX = MaxUser(50_000_000_941, "Анна", "Кузнецова")
SPRING = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def _channels(sheet: SentMessage) -> list[tuple[Any, ...]]:
    assert sheet.document is not None, sheet.text
    rows = list(
        load_workbook(io.BytesIO(sheet.document.data))["Сводка"].iter_rows(values_only=True)
    )
    head = next(n for n, row in enumerate(rows) if row[0] == "По мессенджерам")
    return [row[:5] for row in rows[head + 1 : head + 3]]


async def test_a_teacher_who_moved_to_max_stays_counted_where_she_registered(both: Both) -> None:
    """Анна came to a spring seminar registered from Telegram and got her participation
    document there; in December she moved to MAX with /move. The report of the year then
    counted her seat and presence in MAX (where she had never registered) beside a Telegram
    row of no registrations and one document."""
    h = both
    await seed_teacher(h.sessionmaker, ANNA_TG, "Кузнецова Анна Сергеевна")
    seminar = await seed_event(h.sessionmaker, starts_at=SPRING)
    reg_id, _ = await register(h.sessionmaker, seminar, ANNA_TG)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert await repo.events.mark_attended(reg_id, True)
        assert await repo.documents.record(seminar, ANNA_TG.id, "tg", SPRING)
        await repo.commit()
    year = "/report 01.01.2026 31.12.2026"
    h.tg.user_sends(year, user=ADMIN)
    before = _channels(await h.tg.next_message(ADMIN.id, timeout=10))
    assert before == [("Telegram", 1, 1, 1, 1), ("MAX", 0, 0, 0, 0)]

    h.tg.user_sends("/move", user=ANNA_TG)
    given = await h.tg.next_message(ANNA_TG.id, timeout=10)
    code = CODE.search(given.text or "")
    assert code, given.text
    await h.start(ANNA_MAX)
    done = await h.say(ANNA_MAX, code.group(1))
    assert "Перенесено: профиль, 1 запись" in done.plain

    h.tg.user_sends(year, user=ADMIN)
    assert _channels(await h.tg.next_message(ADMIN.id, timeout=10)) == before


async def test_a_school_year_typed_wrong_gets_the_usage_not_an_error(
    harness: BotHarness, settings: Settings
) -> None:
    """«/report 0000-0001» (a slip of the keyboard) ended in «что-то пошло не так», and the
    panel's «Сводка» with that year in its address in a server error; «/report 0225-0226» made
    a report «с 01.09.225 по 31.08.226». A calendar year typed so was already refused."""
    h = harness
    for typed in ("0000-0001", "0225-0226", "9998-9999"):
        usage = await h.say(ADMIN, f"/report {typed}")
        assert usage.document is None, typed
        assert usage.text.startswith("Отчёт за период"), (typed, usage.text)
    clock = SystemClock()
    panel = await client_for(settings, h.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, FrozenClock(clock.now()))
        page = await panel.get("/web/summary?period=0000-0001")
        assert page.status == 200
        assert "Вопросы боту за 14 дней" in await page.text()  # the rolling windows instead
    finally:
        await panel.close()


async def test_the_panel_reads_a_whole_period_typed_in_its_first_field(
    harness: BotHarness, settings: Settings
) -> None:
    """The deputy director pasted «01.09.2025–31.05.2026» (as she writes it in the form for
    the department, and as /report takes it) into the report's «С» field: the page answered
    «Не понял дату» and «Укажите дату». Now it is the period, and both fields show its days."""
    h = harness
    clock = SystemClock()
    panel = await client_for(settings, h.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, FrozenClock(clock.now()))
        for typed, label, first, last in (
            ("01.09.2025–31.05.2026", "с 01.09.2025 по 31.05.2026", "01.09.2025", "31.05.2026"),
            ("2025-2026", "с 01.09.2025 по 31.08.2026", "01.09.2025", "31.08.2026"),
            ("2026", "с 01.01.2026 по 31.12.2026", "01.01.2026", "31.12.2026"),
        ):
            response = await panel.get("/web/report", params={"first": typed, "last": ""})
            page = await response.text()
            assert response.status == 200, (typed, page)
            assert f"Мероприятия для педагогов {label}" in page, typed
            assert f'name="first" value="{first}"' in page, typed
            assert f'name="last" value="{last}"' in page, typed
            book = await panel.get("/web/report.xlsx", params={"first": typed, "last": ""})
            assert book.status == 200 and book.content_type.endswith("sheet"), typed
        one_day = await panel.get("/web/report", params={"first": "01.09.2025", "last": ""})
        assert one_day.status == 400  # one day typed alone is still asked to be finished
        assert "Укажите дату" in await one_day.text()
    finally:
        await panel.close()


HELP_FORMS = ("/report 2026", "/report 2025-2026", "/report 01.09.2025 31.05.2026")


async def test_staff_help_tells_how_to_name_a_calendar_year_and_a_period(
    harness: BotHarness, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """The department's form is for a calendar year; /help said only «отчёт за учебный год»
    (and MAX's named days as ГГГГ-ММ-ДД), so the year was found by a wrong try at best."""
    helped = await harness.say(ADMIN, "/help")
    assert all(form in helped.text for form in HELP_FORMS), helped.text
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        (in_max,) = await say(fake, STAFF_MAX, "/help")
        assert all(form in in_max.plain for form in HELP_FORMS), in_max.plain


async def test_the_kinds_sheet_sums_to_the_caption(
    harness: BotHarness, settings: Settings
) -> None:
    """«По видам» had no total: the deputy director added the columns up by hand to check
    them against «Сводка» and the caption. Its «Итого» row now says the same numbers."""
    h, sm = harness, harness.sessionmaker
    teacher = FakeUser(id=2402, first_name="Инна", last_name="Сидорова")
    await seed_teacher(sm, teacher, "Сидорова Инна Ивановна")
    seminar = await seed_event(sm, starts_at=SPRING)
    workshop = await seed_event(sm, starts_at=SPRING + timedelta(days=7), kind="workshop")
    for event_id in (seminar, workshop):
        reg_id, _ = await register(sm, event_id, teacher)
    async with sm() as session:
        assert await Repositories(session).events.mark_attended(reg_id, True)
        await session.commit()
    sheet = await h.say(ADMIN, "/report 01.01.2026 31.12.2026")
    assert "мероприятий 2, записей 2, участников 1, присутствовали 1" in sheet.text
    assert sheet.document is not None
    kinds = list(
        load_workbook(io.BytesIO(sheet.document.data))["По видам"].iter_rows(values_only=True)
    )
    assert kinds[-1] == ("Итого", 2, 2, 2, 1)

    clock = SystemClock()  # the panel's table of kinds ends the same
    panel = await client_for(settings, h.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, FrozenClock(clock.now()))
        page = await (await panel.get("/web/report?first=01.01.2026&last=31.12.2026")).text()
        total = '<th scope="row">Итого</th><td>2</td><td>2</td><td>2</td><td>1</td>'
        assert total in page
    finally:
        await panel.close()
