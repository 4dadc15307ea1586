"""Outside QA of the panel as a methodist, over real HTTP: what the browser tests of
tests/test_browser_qa_methodist.py found refused — a broadcast or an event made a second time
by a form sent again — must not refuse what only looks alike."""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import Broadcast, Event, EventStatus
from tests.helpers.events import seed_event
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    NOW,
    Client,
    client,
    clock,
    messenger,
    panel_settings,
    sign_in,
)
from tests.test_web_broadcasts import compose_form, seed


async def _count(sessionmaker: SessionMaker, model: type[Broadcast] | type[Event]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_broadcast_is_refused_only_as_the_same_one_sent_again(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    now = compose_form(csrf, text="Собрание в четверг")
    first = await client.post("/web/broadcasts", data=now, allow_redirects=False)
    assert first.status == 303
    again = await client.post("/web/broadcasts", data=now, allow_redirects=False)
    assert again.status == 422 and "уже создана: №1" in await again.text()
    # the same words as a reminder on Wednesday, or to teachers: other broadcasts
    later = compose_form(csrf, text="Собрание в четверг", when="at", at="2026-12-09T10:00")
    assert (await client.post("/web/broadcasts", data=later, allow_redirects=False)).status == 303
    teachers = {**now, "audience": "teachers"}
    assert (
        await client.post("/web/broadcasts", data=teachers, allow_redirects=False)
    ).status == 303
    assert (await client.post("/web/broadcasts", data=later, allow_redirects=False)).status == 422
    # the first one cancelled: sending it anew is what the methodist means
    await client.post("/web/broadcasts/1/cancel", data={"csrf": csrf, "sure": "yes"})
    assert (await client.post("/web/broadcasts", data=now, allow_redirects=False)).status == 303
    clock.advance(timedelta(hours=1))  # an hour later the same announcement is a new one
    assert (await client.post("/web/broadcasts", data=now, allow_redirects=False)).status == 303
    assert await _count(sessionmaker, Broadcast) == 5


async def test_an_event_like_a_cancelled_one_or_at_another_time_is_published(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    start = NOW + timedelta(days=10)
    await seed_event(sessionmaker, starts_at=start, status=EventStatus.CANCELLED)
    csrf = await sign_in(client, panel_settings, clock)
    local = start.astimezone(panel_settings.tz)
    form = {
        "csrf": csrf, "title": "Семинар «Наставничество»", "kind": "seminar",
        "starts": f"{local:%d.%m.%Y %H:%M}", "duration": "90", "format": "offline",
        "place": "ул. Ленина, 1", "capacity": "30",
    }  # fmt: skip
    made = await client.post("/web/events/new", data=form, allow_redirects=False)
    assert made.status == 303  # the cancelled one is no twin: it is being put back
    twin = await client.post("/web/events/new", data=form, allow_redirects=False)
    assert twin.status == 409 and "уже опубликовано (№2)" in await twin.text()
    later = {**form, "starts": f"{local + timedelta(days=7):%d.%m.%Y %H:%M}"}
    assert (await client.post("/web/events/new", data=later, allow_redirects=False)).status == 303
    assert await _count(sessionmaker, Event) == 3
