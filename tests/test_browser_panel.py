"""The staff web panel in a real browser: headless Chromium from Debian (/usr/bin/chromium)
driven by Playwright, against the real bot polling the fake Telegram server.

A parent's question becomes a ticket in Telegram → a staff member sends /web → opens the link
from the bot's message in the browser → answers on the page → the parent gets the answer in
Telegram. Playwright never downloads a browser here (no `playwright install`): without
/usr/bin/chromium the test skips, and under CI (CI=true or MOC_REQUIRE_SERVERS=1) it fails.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.app.panel import start_panel_server
from bot.core.clock import SystemClock
from bot.core.config import Settings
from handlers.tg.messenger import TelegramMessenger
from storage.models import Ticket
from tests import pg
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness, make_settings

CHROMIUM = Path("/usr/bin/chromium")
# MOC_SCREENSHOTS=1 refreshes README's screenshots in docs/; otherwise they go to a temp dir,
# so a test run leaves the work tree clean
DOCS = (
    Path(__file__).resolve().parent.parent / "docs"
    if os.environ.get("MOC_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir())
)
SCREENSHOT, SUMMARY_SCREENSHOT = DOCS / "web-tickets.png", DOCS / "web-summary.png"
QUESTION = "можно ли привести на занятие собаку-поводыря <script>Рекс</script>"
LINK = re.compile(r"(http://\S+/web/login\?t=\S+)")


def _browser_or_skip() -> Any:
    required = pg.servers_required() or os.environ.get("CI", "").lower() == "true"
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    else:
        if CHROMIUM.exists():
            return async_playwright
        reason = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    if required:
        pytest.fail(f"{reason} — and CI forbids skipping the browser test", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """The panel listens on a free port; the bot's /web links point there."""
    return make_settings(db_path, web_port=_free_port())


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[None]:
    runner = await start_panel_server(
        harness.settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock()
    )
    assert runner is not None
    yield
    await runner.cleanup()


async def test_staff_answer_a_ticket_in_the_browser(harness: BotHarness, panel: None) -> None:
    async_playwright = _browser_or_skip()
    reply = await harness.say(PARENT, QUESTION)
    await harness.press(PARENT, reply, texts.BTN_ASK_SHORT)
    await harness.server.next_message(STAFF_CHAT)  # the post in the staff chat
    await harness.dp.workflow_data["querylog"].flush()  # the question reaches «Сводка» now
    async with harness.sessionmaker() as session:
        ticket_id = (await session.scalars(select(Ticket.id))).one()

    sent = await harness.say(ADMIN, "/web")
    found = LINK.search(sent.text or "")
    assert found is not None, sent.text

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 760})  # a phone
            await page.goto(found.group(1))
            await page.wait_for_url("**/web/tickets", timeout=15_000)
            item = page.get_by_role("link", name=re.compile(f"№{ticket_id}"))
            await item.wait_for()
            assert "<script>" in await item.inner_text()  # shown as text, not run
            SCREENSHOT.parent.mkdir(exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=True)

            await item.click()
            await page.wait_for_url(f"**/web/tickets/{ticket_id}")
            await page.get_by_label("Ответ родителю").fill("Да, можно: предупредите педагога.")
            await page.get_by_role("button", name="Отправить ответ").click()
            await page.get_by_text("Ответ отправлен родителю").wait_for(timeout=15_000)

            await page.get_by_role("link", name="Сводка").click()
            await page.wait_for_url("**/web/summary")
            chart = page.locator("svg.chart").first  # questions per day
            await chart.wait_for()
            assert await chart.locator("rect").count() > 0  # the parent's question, at least
            await page.screenshot(path=str(SUMMARY_SCREENSHOT), full_page=True)
            await page.get_by_role("link", name="Сотрудники").click()
            await page.get_by_text("вошёл(ла) в панель").wait_for()

            # the same link again opens nothing: it was single use
            again = await browser.new_page()
            response = await again.goto(found.group(1))
            assert response is not None and response.status == 403
        finally:
            await browser.close()

    answer = await harness.server.next_message(PARENT.id)
    assert answer.text is not None and "Ответ специалиста МОЦ" in answer.text
    assert "предупредите педагога" in answer.text
    async with harness.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.status == "answered"
        assert ticket.answered_by == ADMIN.id
