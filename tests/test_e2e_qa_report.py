"""A methodologist prepares the yearly report through the real bot (Telegram and MAX): the
period typed as people type it in Russian, and numbers that count a teacher once even when
they registered from both messengers."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import seed_event
from tests.helpers.max_bot import max_only_bot, say
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # mid academic year 2026-2027
YEAR = "Отчёт с 01.09.2025 по 31.08.2026"
STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")
TEACHER_MAX = MaxUser(52_000_000_777, "Мария", "Иванова")
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
    for nonsense in ("2025", "2025-2027", "вчера"):
        usage = await h.say(ADMIN, f"/report {nonsense}")
        assert usage.document is None and usage.text.startswith("Отчёт за период"), nonsense


async def test_max_report_reads_the_period_as_a_methodologist_types_it(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        (sheet,) = await say(fake, STAFF_MAX, "/report 01.09.2025–31.08.2026")
        assert [a["type"] for a in sheet.attachments] == ["file"]
        assert YEAR in sheet.plain
        (year,) = await say(fake, STAFF_MAX, "/report 2025-2026")
        assert YEAR in year.plain
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
            "max", "user", TEACHER_MAX.user_id
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
    (rate,) = (value for label, value in summary.items() if str(label).startswith("Доля"))
    assert rate == 1.0

    panel = await client_for(settings, sm, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report")).text()
        assert 'id="fig-rate">100,0&nbsp;%' in page
    finally:
        await panel.close()
