"""An event's page in the panel, as staff use it: the registration deadline they set is shown
(it was only in the edit form), and the list downloads as CSV too, as in the bot — with the
Cyrillic, the columns and the МОЦ's time of each registration."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.reports.exports import HEADER
from storage.db import SessionMaker
from storage.models import Registration
from tests.conftest import TEACHER, make_settings
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
DEADLINE = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # 18:00 in Moscow
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


@pytest.fixture
async def client(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> AsyncIterator[Client]:
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    yield client
    await client.close()


async def test_event_page_shows_the_deadline_and_offers_csv(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    event_id = await seed_event(
        sessionmaker, starts_at=START, registration_deadline=DEADLINE, title="Семинар «Ёлка»"
    )
    await seed_teacher(sessionmaker, TEACHER, "Сидоров Пётр Ильич", "МБОУ СОШ № 1")
    await register(sessionmaker, event_id, TEACHER)
    await sign_in(client, settings, clock)
    page = await (await client.get(f"/web/events/{event_id}")).text()
    assert "запись до 09.12.2026 18:00" in page  # set as 18:00 Moscow time, stored in UTC
    link = re.search(rf'href="(/web/events/{event_id}/participants\.csv)"', page)
    assert link is not None, "no CSV download on the event page"
    export = await client.get(link.group(1))
    assert export.status == 200
    assert f"uchastniki-{event_id}.csv" in export.headers["Content-Disposition"]
    body = await export.read()
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == list(HEADER)
    row = lines[1].split(";")
    assert row[1] == "Сидоров Пётр Ильич" and row[2] == "МБОУ СОШ № 1"
    async with sessionmaker() as session:
        made = (await session.scalars(select(Registration.created_at))).one()
    assert row[5] == made.astimezone(settings.tz).strftime("%d.%m.%Y %H:%M")  # Moscow time
    assert row[6] == "записан"
