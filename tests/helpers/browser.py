"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright, the panel served
beside the bot under test, and a staff member's sign-in link from the bot's answer to /web.

Playwright never downloads a browser here (no `playwright install`): without /usr/bin/chromium
a browser test skips, and under CI (CI=true or MOC_REQUIRE_SERVERS=1) it fails.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app.panel import start_panel_server
from bot.core.clock import SystemClock
from bot.core.config import Settings
from handlers.tg.messenger import TelegramMessenger
from tests import pg
from tests.conftest import BotHarness, make_settings

CHROMIUM = Path("/usr/bin/chromium")
# MOC_SCREENSHOTS=1 refreshes README's screenshots in docs/; otherwise they go to a temp dir
# of each xdist worker's own, so a test run leaves the work tree clean
DOCS = (
    Path(__file__).resolve().parent.parent.parent / "docs"
    if os.environ.get("MOC_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / f"moc-screens-{pg.worker_id()}"
)
LINK = re.compile(r"(http://\S+/web/login\?t=\S+)")


def browser_or_skip() -> Any:
    """Playwright's `async_playwright`, or skip (fail under CI) when it or Chromium is missing."""
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def login_link(harness: BotHarness, who: object) -> str:
    """The one-time sign-in link the bot sends `who` for /web."""
    sent = await harness.say(who, "/web")  # type: ignore[arg-type]
    found = LINK.search(sent.text or "")
    assert found is not None, sent.text
    return found.group(1)


@asynccontextmanager
async def panel_server(harness: BotHarness, **extra: Any) -> AsyncIterator[web.AppRunner]:
    """The panel on the bot's WEB_PORT, sharing the bot's staff roster."""
    runner = await start_panel_server(
        harness.settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock(),
        roster=harness.dp.workflow_data.get("roster"), **extra,
    )  # fmt: skip
    assert runner is not None
    try:
        yield runner
    finally:
        await runner.cleanup()


@asynccontextmanager
async def chromium(playwright: Any) -> AsyncIterator[Any]:
    """A headless Chromium from Debian, closed whatever the test does."""
    browser = await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
    )
    try:
        yield browser
    finally:
        await browser.close()


@asynccontextmanager
async def signed_in(harness: BotHarness, who: object) -> AsyncIterator[Any]:
    """A page of a headless Chromium signed in to the panel by `who`'s /web link (the
    tickets page open), closed whatever the test does; skipped when there is no browser."""
    async_playwright = browser_or_skip()
    link = await login_link(harness, who)
    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page()
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        yield page


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """The panel listens on a free port; the bot's /web links point there. (A fixture: a
    browser test imports it as `settings` over conftest's.)"""
    return make_settings(db_path, web_port=free_port())


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[None]:
    """The panel served beside the bot under test, for as long as the test runs."""
    async with panel_server(harness):
        yield
