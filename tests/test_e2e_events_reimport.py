"""A plan exported from the web panel, edited as in Excel and imported back, through the real
bot and the fake Telegram server: the registered teacher is told of the new time with the
updated .ics, the one on the waiting list gets the seat the new capacity made, and a dry run
only shows what would change. Before, the edited row was skipped as «уже есть» and nobody
learned of anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from handlers.tg.messenger import TelegramMessenger
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.events import load_event, register, seed_event, seed_teacher
from tests.helpers.panel import client_for, sign_in

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
START = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
WAITING = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


async def upload(client: Client, csrf: str, data: bytes, dry_run: bool = False) -> str:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", data, filename="план.csv")
    if dry_run:
        form.add_field("dry_run", "1")
    response = await client.post("/web/events/import", data=form)
    assert response.status == 200, await response.text()
    return await response.text()


async def until(h: BotHarness, user: FakeUser, words: str) -> SentMessage:
    """The first message to `user` with `words` (a change notice may come before)."""
    for _ in range(5):
        message = await h.server.next_message(user.id, timeout=30)
        if words in (message.text or ""):
            return message
    raise AssertionError(f"{user.id} never got «{words}»")


async def test_a_time_changed_in_the_exported_plan_reaches_the_registered_teacher(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    h = harness
    client = await client_for(settings, h.sessionmaker, TelegramMessenger(h.bot), clock)
    try:
        event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=START)
        for user, name in ((TEACHER, "Сидоров Пётр Ильич"), (WAITING, "Петрова Ольга")):
            await seed_teacher(h.sessionmaker, user, name)
            await register(h.sessionmaker, event_id, user)
        csrf = await sign_in(client, settings, clock)
        assert "/web/events/export.xlsx" in await (await client.get("/web/events")).text()

        exported = await client.get("/web/events/export.csv")
        assert exported.status == 200
        assert "attachment" in exported.headers["Content-Disposition"]
        text = (await exported.read()).decode("utf-8-sig")
        assert text.startswith("id;title;kind;starts_at;")
        assert f"{event_id};Семинар «Наставничество»;Семинар;10.12.2026 15:00;90;" in text
        edited = text.replace("10.12.2026 15:00", "11.12.2026 16:30").replace(
            "ул. Ленина, 1, каб. 5;1;", "ул. Ленина, 1, каб. 5;2;"
        )

        html = await upload(client, csrf, edited.encode("utf-8-sig"), dry_run=True)
        assert "Проверка без записи" in html
        assert f"мероприятие {event_id} — изменится: время, число мест" in html
        assert (await load_event(h.sessionmaker, event_id)).starts_at == START

        html = await upload(client, csrf, edited.encode("utf-8-sig"))
        assert "Импорт: обновлено 1, без изменений 0, новых 0." in html
        notice = await until(h, TEACHER, "Изменилось время")
        assert "пт, 11 декабря 2026, 16:30–18:00" in (notice.text or "")
        assert notice.document is not None  # the .ics that moves the calendar entry
        ics = notice.document.data.decode("utf-8").replace("\r\n ", "")
        assert "SEQUENCE:1\r\n" in ics and "DTSTART:20261211T133000Z" in ics
        promoted = await until(h, WAITING, "Освободилось место")
        assert "Семинар «Наставничество»" in (promoted.text or "")
        event = await load_event(h.sessionmaker, event_id)
        assert event.capacity == 2 and event.revision == 1

        html = await upload(client, csrf, edited.encode("utf-8-sig"))  # the same file again
        assert "Импорт: обновлено 0, без изменений 1, новых 0." in html
    finally:
        await client.close()


async def test_a_workshop_under_way_is_in_the_panels_export_and_comes_back_unchanged(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    """Its first meeting held on 3 December, two ahead: the export left it out, so the plan
    a methodist edits and brings back had lost it; now it comes back «без изменений», and the
    registered teacher is not bothered."""
    h = harness
    client = await client_for(settings, h.sessionmaker, TelegramMessenger(h.bot), clock)
    try:
        held = NOW - timedelta(days=2)
        async with h.sessionmaker() as session:
            repo = Repositories(session)
            workshop = Event(
                title="Мастерская «Наставник»", kind="workshop", starts_at=held,
                duration_min=90, format="offline", place="МОЦ", capacity=20, taken=0,
                status=EventStatus.PUBLISHED,
            )  # fmt: skip
            await repo.events.add(workshop, [held + timedelta(days=7 * n) for n in range(3)])
            await repo.commit()
        await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
        await register(h.sessionmaker, workshop.id, TEACHER)
        csrf = await sign_in(client, settings, clock)

        text = (await (await client.get("/web/events/export.csv")).read()).decode("utf-8-sig")
        assert (
            f"{workshop.id};Мастерская «Наставник»;Педагогическая мастерская;"
            '"03.12.2026 12:00; 10.12.2026 12:00; 17.12.2026 12:00";90;'
        ) in text
        html = await upload(client, csrf, text.encode("utf-8-sig"))
        assert "Импорт: обновлено 0, без изменений 1, новых 0." in html
        # nothing changed: no notice, no new .ics
        with pytest.raises(AssertionError, match="no new message"):
            await h.server.next_message(TEACHER.id, timeout=2)
    finally:
        await client.close()
