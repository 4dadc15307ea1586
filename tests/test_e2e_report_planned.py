"""Mid-year, a deputy director asks for the school year's report: a seminar held in October
and one planned for March. The report counted the March seminar as held («мероприятий 2»,
a line of «Проведено» and «Мероприятия»); now it counts one held and names the planned one
apart, the same in /report's message, its workbook and the panel's «Отчёт»."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from tests.conftest import ADMIN, BotHarness
from tests.helpers.events import seed_event
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HELD = datetime(2026, 10, 15, 12, tzinfo=UTC)
PLANNED = datetime(2027, 3, 15, 12, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def _sheet(data: bytes, name: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True))


async def test_a_mid_year_report_does_not_count_planned_events_as_held(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    sm = harness.sessionmaker
    await seed_event(sm, title="Семинар «Осень»", starts_at=HELD)
    await seed_event(sm, title="Семинар «Весна»", starts_at=PLANNED)

    sheet = await harness.say(ADMIN, "/report")
    assert sheet.document is not None, sheet.text
    assert "мероприятий 1," in sheet.text
    assert "Запланировано (ещё не проведены, не входят в отчёт): 1" in sheet.text
    summary = {r[0]: r[1] for r in _sheet(sheet.document.data, "Сводка") if r and r[0]}
    assert summary["Мероприятий"] == 1
    assert summary["Занятий (встреч)"] == 1
    assert summary["Запланировано (ещё не проведены, в «Мероприятий» не входят)"] == 1
    held = {r[0]: r[1:] for r in _sheet(sheet.document.data, "Проведено") if r and r[0]}
    assert held["Итого"] == (1, 1, 0)
    assert held["март 2027"] == (0, 0, 0)
    listed = [r[:2] for r in _sheet(sheet.document.data, "Мероприятия") if r and r[0]]
    assert listed[1:] == [
        (datetime(2026, 10, 15, 15), "Семинар «Осень»"),
        ("Запланировано (ещё не проведены, в «Мероприятий» не входят)", None),
        (datetime(2027, 3, 15, 15), "Семинар «Весна»"),
    ]
    kinds = {r[0]: r[1] for r in _sheet(sheet.document.data, "По видам") if r and r[0]}
    assert kinds["Итого"] == 1

    panel = await client_for(settings, sm, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report")).text()
    finally:
        await panel.close()
    assert 'id="fig-events">1<' in page
    assert 'id="fig-planned">1<' in page
    planned = page.split('<tbody id="planned">', 1)[1]
    assert "Семинар «Весна»" in planned and "Семинар «Осень»" not in planned
