"""«Сотрудники» in a real browser (headless Debian Chromium driven by Playwright, as in
tests/test_browser_panel.py), against the real bot polling the fake Telegram server.

The owner signs in with /web, presses «Пригласить сотрудника», the link shown on the page is
opened in Telegram by a teacher, who is then listed on the page (screenshot docs/web-staff.png
with MOC_SCREENSHOTS=1); the owner removes them; the teacher's sign-in link, made while they
were staff, is then refused in the browser; the Mini App page signs in staff by Telegram's
initData and refuses a non-staff user's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest

from bot import texts
from bot.app.panel import start_panel_server
from bot.core.clock import SystemClock
from bot.texts import staff as t
from handlers.tg.messenger import TelegramMessenger
from tests.conftest import ADMIN, PARENT, TEACHER, BotHarness
from tests.helpers.browser import (
    DOCS,
    browser_or_skip,
    chromium,
    login_link,
)  # fmt: skip
from tests.helpers.browser import settings as settings  # a fixture
from tests.test_web_staff import init_data

SCREENSHOT = DOCS / "web-staff.png"
INVITE = re.compile(r"https://t\.me/moc_test_bot\?start=(staff_[A-Za-z0-9_-]+)")


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[None]:
    runner = await start_panel_server(
        harness.settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock(),
        roster=harness.dp.workflow_data["roster"],
    )  # fmt: skip
    assert runner is not None
    yield
    await runner.cleanup()


async def test_owner_invites_and_removes_staff_in_the_browser(
    harness: BotHarness, panel: None
) -> None:
    async_playwright = browser_or_skip()
    assert (await harness.say(PARENT, "/web")).text == texts.ADMIN_ONLY
    owner_link = await login_link(harness, ADMIN)
    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 760})  # a phone
        await page.goto(owner_link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="Сотрудники").click()
        await page.wait_for_url("**/web/staff")
        await page.get_by_role("button", name="Пригласить сотрудника").click()
        shown = page.locator("code.invite").first
        await shown.wait_for(timeout=15_000)
        found = INVITE.search(await shown.inner_text())
        assert found is not None

        joined = await harness.say(TEACHER, f"/start {found.group(1)}")
        assert joined.text == t.INVITE_OUTCOMES["joined"]
        teacher_link = await login_link(harness, TEACHER)

        await page.goto(f"{harness.settings.panel_url}/web/staff")  # now with the newcomer
        await page.get_by_text("Пётр Сидоров").first.wait_for()
        await page.get_by_text("добавил(а) сотрудника").wait_for()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        await page.get_by_role("button", name="Удалить Пётр Сидоров").click()
        await page.get_by_text("Сотрудник удалён").wait_for(timeout=15_000)
        assert await page.get_by_role("button", name="Удалить Пётр Сидоров").count() == 0

        # the teacher's link was made while they were staff: now it opens nothing
        other = await browser.new_page()
        response = await other.goto(teacher_link)
        assert response is not None and response.status == 403
        await other.get_by_text("только для сотрудников МОЦ").wait_for()
        # the Mini App page: outside Telegram it signs no one in; with initData (as
        # Telegram passes it, in the fragment) a non-staff user is refused, staff enter
        webapp = f"{harness.settings.panel_url}/web/webapp"
        await other.goto(webapp)
        await other.get_by_text("кнопкой меню").wait_for(timeout=15_000)
        now = SystemClock().now()
        stranger = await browser.new_page()  # a new document: a fragment change is none
        await stranger.goto(f"{webapp}#tgWebAppData={quote(init_data(PARENT.id, now))}")
        await stranger.get_by_text("только для сотрудников МОЦ").wait_for(timeout=15_000)
        mini = await browser.new_page()
        await mini.goto(f"{webapp}#tgWebAppData={quote(init_data(ADMIN.id, now))}")
        await mini.wait_for_url("**/web/tickets", timeout=15_000)
    assert (await harness.say(TEACHER, "/tickets")).text == texts.ADMIN_ONLY
