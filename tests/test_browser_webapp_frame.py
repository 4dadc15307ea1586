"""The Mini App inside another site's frame, as Telegram Web (web.telegram.org) shows it, in a
real headless Chromium (tests/helpers/browser.py) against the real bot and its panel.

A parent page on one site (http://localhost:P1) frames the panel on another
(http://127.0.0.1:P2) with Telegram's initData in the fragment. The Mini App signs in, the
frame loads a second page still signed in, and a POST form with its CSRF token works (the
owner makes an invite, then signs out). With a SameSite=Strict cookie the frame never got its
session back: the first page after sign-in was «войдите через /web».
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web

from bot.core.clock import SystemClock
from bot.core.config import Settings
from tests.conftest import ADMIN, BotHarness, make_settings
from tests.helpers.browser import browser_or_skip, chromium, free_port, panel_server
from tests.test_web_staff import init_data


@pytest.fixture
def ports() -> tuple[int, int]:
    """The parent site's port (in WEB_FRAME_ANCESTORS), and a stranger's (not in it)."""
    return free_port(), free_port()


@pytest.fixture
def settings(db_path: Path, ports: tuple[int, int]) -> Settings:
    return make_settings(
        db_path, web_port=free_port(), web_frame_ancestors=f"http://localhost:{ports[0]}"
    )


@pytest.fixture
async def parent_site(harness: BotHarness, ports: tuple[int, int]) -> AsyncIterator[str]:
    """Telegram Web's part: a page of another site that frames the Mini App."""
    webapp = f"{harness.settings.panel_url}/web/webapp"
    signed = quote(init_data(ADMIN.id, SystemClock().now()))
    html = (
        "<!doctype html><html><body><h1>Telegram Web</h1>"
        f'<iframe id="app" src="{webapp}#tgWebAppData={signed}" width="800" height="900">'
        "</iframe></body></html>"
    )

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for port in ports:
        await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://localhost:{ports[0]}/"  # localhost and 127.0.0.1: two sites
    finally:
        await runner.cleanup()


async def test_the_mini_app_works_inside_another_sites_frame(
    harness: BotHarness, parent_site: str, ports: tuple[int, int]
) -> None:
    async_playwright = browser_or_skip()
    async with (
        panel_server(harness),
        async_playwright() as playwright,
        chromium(playwright) as browser,
    ):
        page = await browser.new_page(viewport={"width": 900, "height": 1000})
        await page.goto(parent_site)
        element = await page.wait_for_selector("#app")
        assert element is not None
        frame = await element.content_frame()
        assert frame is not None
        # signed in: the frame moved on to the tickets, with the staff member's name
        await frame.wait_for_url("**/web/tickets", timeout=15_000)
        await frame.get_by_text("Анна Методист").wait_for(timeout=15_000)
        # a second page load in the frame, still signed in
        await frame.get_by_role("link", name="Сотрудники").click()
        await frame.wait_for_url("**/web/staff", timeout=15_000)
        invite = frame.get_by_role("button", name="Пригласить сотрудника")
        await invite.wait_for(timeout=15_000)
        # a POST form: its CSRF token is accepted and the invite link shown
        await invite.click()
        await frame.locator("code.invite").first.wait_for(timeout=15_000)
        assert "https://t.me/moc_test_bot?start=staff_" in await frame.locator("body").inner_text()
        # signing out (a POST too) ends the framed session
        await frame.get_by_role("button", name="Выйти").click()
        await frame.wait_for_url("**/web/signin", timeout=15_000)
        await frame.goto(f"{harness.settings.panel_url}/web/tickets")
        await frame.get_by_text("Войдите через бота").wait_for(timeout=15_000)
        assert frame.url.endswith("/web/signin")
        # a page of a site not in WEB_FRAME_ANCESTORS cannot show the panel at all
        await page.goto(parent_site.replace(str(ports[0]), str(ports[1])))
        element = await page.wait_for_selector("#app")
        assert element is not None
        other = await element.content_frame()
        assert other is not None
        await other.wait_for_load_state()
        assert other.url.startswith("chrome-error://"), other.url  # refused by the policy
