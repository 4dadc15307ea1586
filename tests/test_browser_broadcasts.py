"""«Рассылки», «Чаты» and «Сводка» in a real browser: headless Chromium from Debian driven by
Playwright (as tests/test_browser_panel.py), against the real bot, the real broadcast worker
and the fake Telegram server.

A staff member sends /web → opens the link → composes a broadcast to parents, sees the
preview and the recipient count, sends it → the broadcast's page updates itself (a small
script polls its JSON) until it shows «отправлена» → the parents' group got it once. Then
«Чаты» lists the group and «Сводка» draws non-empty SVG charts, the broadcast among them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.app.panel import start_panel_server
from bot.core.clock import SystemClock
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.messenger import TelegramMessenger
from storage.models import Chat, ChatAudience
from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import (
    DOCS,
    browser_or_skip,
    chromium,
    login_link,
)  # fmt: skip
from tests.helpers.browser import settings as settings  # a fixture

GROUP, TEACHERS = -1001001, -1001009
TITLE = "Родители 1А <script>x</script>"
BROADCASTS_SHOT, CHATS_SHOT = DOCS / "web-broadcasts.png", DOCS / "web-chats.png"
SUMMARY_SHOT = DOCS / "web-summary.png"


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[None]:
    """The panel server and the worker that delivers what the panel creates."""
    async with harness.sessionmaker() as session:
        for chat_id, title, audience in [
            (GROUP, TITLE, "parents"), (TEACHERS, "Педагоги школы 5", "teachers"),
        ]:  # fmt: skip
            chat = Chat(id=chat_id, kind="supergroup", title=title)
            chat.audiences = [ChatAudience(chat_id=chat_id, audience=audience)]
            session.add(chat)
        await session.commit()
    runner = await start_panel_server(
        harness.settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock()
    )
    assert runner is not None
    worker = BroadcastWorker(
        harness.sessionmaker, TelegramChannel(harness.bot), SystemClock(),
        instance_id="browser", poll_seconds=0.3, tz=harness.settings.tz,
    )  # fmt: skip
    worker.start()
    yield
    await worker.stop(wait=5)
    await runner.cleanup()


async def test_staff_send_a_broadcast_from_the_browser(harness: BotHarness, panel: None) -> None:
    async_playwright = browser_or_skip()
    link = await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 760})  # a phone
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="Рассылки").click()
        await page.get_by_role("link", name="Новая рассылка").click()
        await page.get_by_label("Текст").fill("Собрание в <b>четверг</b> в 18:00")
        await page.get_by_role("button", name="Предпросмотр").click()
        await page.get_by_text("Получателей: 1").wait_for(timeout=15_000)
        bold = page.locator(".preview .message b")
        assert await bold.inner_text() == "четверг"
        await page.get_by_role("button", name="Отправить сейчас").click()
        await page.get_by_text("Рассылка создана").wait_for(timeout=15_000)
        state = page.locator('[data-field="state_label"]')
        await page.wait_for_function(  # the page polls and reloads itself
            "document.querySelector('[data-field=state_label]').textContent"
            ".includes('отправлена')",
            timeout=30_000,
        )
        assert "отправлена" in await state.inner_text()
        row = page.get_by_role("row", name=re.compile("Родители 1А"))
        await row.wait_for()
        assert "<script>" in await row.inner_text() and "доставлено" in await row.inner_text()
        BROADCASTS_SHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(BROADCASTS_SHOT), full_page=True)

        await page.get_by_role("link", name="Чаты").click()
        await page.wait_for_url("**/web/chats")
        await page.get_by_text("Педагоги школы 5").wait_for()
        await page.screenshot(path=str(CHATS_SHOT), full_page=True)

        await page.get_by_role("link", name="Сводка").click()
        await page.wait_for_url("**/web/summary")
        charts = page.locator('svg.chart[aria-label="Рассылки"]')
        await charts.wait_for()
        assert await charts.locator("rect").count() > 0  # the delivered broadcast
        await page.screenshot(path=str(SUMMARY_SHOT), full_page=True)

    message = await harness.server.next_message(GROUP)
    assert message.text == "Собрание в четверг в 18:00"
    assert len(harness.server.sent_to(GROUP)) == 1
    assert not harness.server.sent_to(TEACHERS)
