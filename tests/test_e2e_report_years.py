"""A workshop series that met in December and January is in both yearly reports, each with its
own meetings and visits: /report 2026 counts the two December meetings, /report 2027 the one in
January (the whole series used to land in 2026, the year of its first meeting, and 2027's form
missed it). Through /report in Telegram, the panel's «Отчёт» and /report in MAX."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_teacher
from tests.helpers.max_bot import max_only_bot, say
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)
MEETINGS = [  # 15:00 in Moscow
    datetime(2026, 12, 15, 12, tzinfo=UTC),
    datetime(2026, 12, 22, 12, tzinfo=UTC),
    datetime(2027, 1, 12, 12, tzinfo=UTC),
]
OTHER = FakeUser(id=2003, first_name="Ольга", last_name="Кузнецова")
STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def seed_series(sm: SessionMaker) -> None:
    """The teacher came to the 1st and the 3rd meeting, Ольга to the 2nd only."""
    async with sm() as session:
        repo = Repositories(session)
        event = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=MEETINGS[0],
            duration_min=90, format="offline", place="ул. Ленина, 1", capacity=10, taken=0,
            status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(event, MEETINGS)
        await repo.commit()
        event_id = event.id
    came = {TEACHER: (0, 2), OTHER: (1,)}
    for user, meetings in came.items():
        await seed_teacher(sm, user, f"Педагог {user.first_name}")
        reg_id, _ = await register(sm, event_id, user)
        async with sm() as session:
            repo = Repositories(session)
            for n in meetings:
                at = MEETINGS[n] + timedelta(minutes=10)
                assert await repo.events.mark_attended(reg_id, True, now=at)
            await repo.commit()


def figures(data: bytes) -> dict[str, Any]:
    book = load_workbook(io.BytesIO(data))
    found = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}
    held = list(book["Проведено"].iter_rows(values_only=True))
    found["Итого"] = next(row[1:] for row in held if row[0] == "Итого")
    found["months"] = [row for row in held[1:13] if row[0] and any(row[1:])]
    found["events"] = list(book["Мероприятия"].iter_rows(min_row=2, values_only=True))
    return found


def check(year: int, data: bytes) -> None:
    got = figures(data)
    if year == 2026:
        assert (got["Мероприятий"], got["Занятий (встреч)"]) == (1, 2)
        assert got["Посещений занятий (отметок по встречам)"] == 2
        assert got["Присутствовали"] == 2
        assert got["months"] == [("декабрь 2026", 1, 2, 2)]
        assert got["Итого"] == (1, 2, 2)
        assert [e[:4] + e[5:7] for e in got["events"]] == [
            (datetime(2026, 12, 15, 15), "Мастерская «Проекты»", "Педагогическая мастерская", 2,
             2, 2),
        ]  # fmt: skip
    else:
        assert (got["Мероприятий"], got["Занятий (встреч)"]) == (1, 1)
        assert got["Посещений занятий (отметок по встречам)"] == 1
        assert got["Присутствовали"] == 1  # Ольга came in December only
        assert got["months"] == [("январь 2027", 1, 1, 1)]
        assert got["Итого"] == (1, 1, 1)
        assert [e[:4] + e[5:7] for e in got["events"]] == [
            (datetime(2027, 1, 12, 15), "Мастерская «Проекты»", "Педагогическая мастерская", 1,
             1, 1),
        ]  # fmt: skip
    assert any("в каждом периоде, где у него было занятие" in str(k) for k in got)


async def test_a_series_over_new_year_counts_its_meetings_in_each_year(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    await seed_series(harness.sessionmaker)
    for year in (2026, 2027):
        sheet = await harness.say(ADMIN, f"/report {year}")
        assert sheet.document is not None
        assert "мероприятий 1" in sheet.text
        check(year, sheet.document.data)

    panel = await client_for(settings, harness.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report?first=01.01.2027&last=31.12.2027")).text()
    finally:
        await panel.close()
    for shown in ('id="fig-events">1<', 'id="fig-sessions">1<', 'id="fig-visits">1<'):
        assert shown in page, shown
    assert "<td>12.01.2027 15:00</td><td>Мастерская «Проекты»</td>" in page


async def test_max_staff_get_the_same_two_years(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock
) -> None:
    await seed_series(sessionmaker)
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX, clock=clock) as (
        fake,
        _,
    ):
        for year in (2026, 2027):
            before = {key for key in fake.uploads}
            (sheet,) = await say(fake, STAFF_MAX, f"/report {year}")
            assert "мероприятий 1" in sheet.plain
            (data,) = [d for k, (n, d) in fake.uploads.items() if k not in before]
            check(year, data)
