"""The panel's staff side over real HTTP: the Telegram Mini App sign-in by initData (valid,
forged, too old, not staff) and the roster that every check reads, across instances."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.staff import members
from bot.services.staff.roster import Roster
from handlers.web import add_panel
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, TEACHER, TOKEN, make_settings

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
Client = TestClient[web.Request, web.Application]


def init_data(user_id: int, auth_date: datetime, token: str = TOKEN) -> str:
    """initData as Telegram signs it (core.telegram.org/bots/webapps#validating-data…)."""
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "Анна", "last_name": "Методист"}),
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_public_url="https://moc.example.org")


@pytest.fixture
async def client(settings: Settings, sessionmaker: SessionMaker) -> AsyncIterator[Client]:
    app = web.Application()
    add_panel(app, settings, sessionmaker, object(), FrozenClock(NOW))  # type: ignore[arg-type]
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def test_valid_init_data_opens_a_session(client: Client) -> None:
    page = await client.get("/web/webapp")
    assert page.status == 200 and "/web/static/webapp.js" in await page.text()
    script = await client.get("/web/static/webapp.js")
    assert script.status == 200 and "tgWebAppData" in await script.text()
    signed = await client.post("/web/webapp", data={"init_data": init_data(ADMIN.id, NOW)})
    assert signed.status == 200, await signed.text()
    assert (await signed.json())["next"] == "/web/tickets"
    # Telegram Web frames the Mini App from its own site: only such a cookie comes back there
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("moc_panel_app=")
    for attribute in ("HttpOnly", "Secure", "SameSite=None", "Partitioned", "Path=/web"):
        assert attribute in cookie.split("; "), attribute
    # Secure: the client keeps it for https only, so it goes back by hand over the test's http
    session = {"Cookie": cookie.split(";")[0]}
    tickets = await client.get("/web/tickets", allow_redirects=False, headers=session)
    assert tickets.status == 200 and "Анна Методист" in await tickets.text()
    # framed only by Telegram Web (WEB_FRAME_ANCESTORS): no clickjacking from another site
    policy = "frame-ancestors 'self' https://web.telegram.org"
    assert tickets.headers["Content-Security-Policy"] == policy
    # a forged POST carries the cookie (SameSite=None) but not the CSRF token: refused
    forged = await client.post("/web/logout", headers=session, allow_redirects=False)
    assert forged.status == 403
    out = await client.post("/web/logout", headers=session, allow_redirects=False, data={
        "csrf": _csrf(await tickets.text()),
    })  # fmt: skip
    removed = [c for c in out.headers.getall("Set-Cookie") if c.startswith("moc_panel_app=;")]
    assert out.status == 303 and len(removed) == 1 and "Partitioned" in removed[0]
    again = await client.get("/web/tickets", allow_redirects=False, headers=session)
    assert again.status == 303


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("forged hash", init_data(ADMIN.id, NOW)[:-4] + "beef"),
        ("another bot's token", init_data(ADMIN.id, NOW, token="654321:OTHER-TOKEN")),
        ("not staff", init_data(PARENT.id, NOW)),
        ("auth_date too old", init_data(ADMIN.id, NOW - timedelta(hours=2))),
        ("garbage", "user=%7B%7D"),
    ],
)
async def test_bad_init_data_is_refused(client: Client, case: str, data: str) -> None:
    refused = await client.post("/web/webapp", data={"init_data": data})
    assert refused.status == 403, case
    assert "Set-Cookie" not in refused.headers
    page = await client.get("/web/tickets", allow_redirects=False)
    assert page.status == 303


async def test_another_instance_sees_a_change_within_its_cache_time(
    settings: Settings, sessionmaker: SessionMaker
) -> None:
    ticks = [0.0]
    here = Roster(settings, sessionmaker)
    there = Roster(settings, sessionmaker, monotonic=lambda: ticks[0])
    assert await there.is_owner(ADMIN.id) and not await there.is_staff(TEACHER.id)
    async with sessionmaker() as session:
        repo = Repositories(session)
        made = await members.invite(repo, settings, ADMIN.id, NOW)
        joined = await members.accept(repo, settings, here, made.token, TEACHER.id, NOW)
    assert joined == members.Outcome.JOINED and await here.is_staff(TEACHER.id)
    assert not await there.is_staff(TEACHER.id)  # cached
    ticks[0] += there.ttl
    assert await there.is_staff(TEACHER.id)


async def test_max_owners_are_owners_by_their_internal_id(
    db_path: Path, sessionmaker: SessionMaker
) -> None:
    settings = make_settings(db_path, max_admin_ids="777")
    roster = Roster(settings, sessionmaker)
    async with sessionmaker() as session:
        internal = await Repositories(session).channel_ids.internal("max", "user", 777)
        await session.commit()
    assert internal >= 2**60 and await roster.is_owner(internal)
    assert not await roster.is_staff(777)  # a raw MAX id is no person of ours


async def test_a_load_begun_before_a_change_is_not_taken_as_fresh(
    db_path: Path, sessionmaker: SessionMaker
) -> None:
    """Under load, a MAX owner's first /broadcast was refused «только для сотрудников»: their
    first message made their internal id and called `changed()`, but a reload another update
    had begun a moment before (blind to that id) finished after it and counted as fresh for
    CACHE_SECONDS. `changed()` during a load now leaves that load stale."""
    settings = make_settings(db_path, max_admin_ids="777")
    calls = [0]

    def clock() -> float:  # the other update's change lands just after this load began
        calls[0] += 1
        if calls[0] == 1:
            roster.changed()
        return 0.0

    roster = Roster(settings, sessionmaker, monotonic=clock)
    assert not await roster.is_staff(12345)  # a load that cannot see the owner yet
    async with sessionmaker() as session:
        owner = await Repositories(session).channel_ids.internal("max", "user", 777)
        await session.commit()
    assert await roster.is_owner(owner)


async def test_a_check_inside_an_update_needs_no_second_connection(settings: Settings) -> None:
    """The issue 9 freeze: each update holds a connection; a roster reload that asked the pool
    for another would wait on itself once the pool is busy. It reads through the caller's."""
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        sessionmaker = create_sessionmaker(engine)
        roster = Roster(settings, sessionmaker)
        async with sessionmaker() as session:
            repo = Repositories(session)
            await repo.users.get(PARENT.id)  # this unit of work holds the only connection
            staff = await asyncio.wait_for(roster.is_staff(ADMIN.id, repo), timeout=10)
            assert staff and not await roster.is_staff(PARENT.id, repo)
    finally:
        await engine.dispose()
