"""The staff web panel in a real browser: headless Chromium from Debian (/usr/bin/chromium)
driven by Playwright, against the real bot polling the fake Telegram server.

A parent's question becomes a ticket in Telegram → a staff member sends /web → opens the link
from the bot's message in the browser → answers on the page → the parent gets the answer in
Telegram. Playwright never downloads a browser here (no `playwright install`): without
/usr/bin/chromium the test skips, and under CI (CI=true or MOC_REQUIRE_SERVERS=1) it fails.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from bot import texts
from storage.models import Ticket
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.helpers.browser import (
    DOCS,
    browser_or_skip,
    chromium,
    login_link,
    signed_in,
)  # fmt: skip
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.panel import ticket

SCREENSHOT, SUMMARY_SCREENSHOT = DOCS / "web-tickets.png", DOCS / "web-summary.png"
QUESTION = "можно ли привести на занятие собаку-поводыря <script>Рекс</script>"


async def test_staff_answer_a_ticket_in_the_browser(harness: BotHarness, panel: None) -> None:
    async_playwright = browser_or_skip()
    reply = await harness.say(PARENT, QUESTION)
    await harness.press(PARENT, reply, texts.BTN_ASK_SHORT)
    await harness.server.next_message(STAFF_CHAT)  # the post in the staff chat
    await harness.dp.workflow_data["querylog"].flush()  # the question reaches «Сводка» now
    async with harness.sessionmaker() as session:
        ticket_id = (await session.scalars(select(Ticket.id))).one()

    link = await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 760})  # a phone
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        item = page.get_by_role("link", name=re.compile(f"№{ticket_id}"))
        await item.wait_for()
        assert "<script>" in await item.inner_text()  # shown as text, not run
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        await item.click()
        await page.wait_for_url(f"**/web/tickets/{ticket_id}")
        await page.get_by_label("Ответ (придёт автору вопроса").fill(
            "Да, можно: предупредите педагога."
        )
        await page.get_by_role("button", name="Отправить ответ").click()
        await page.get_by_text("Ответ отправлен в Telegram").wait_for(timeout=15_000)

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
        response = await again.goto(link)
        assert response is not None and response.status == 403
        said = await again.locator("main").inner_text()
        assert "Эта ссылка уже использована: каждая открывается один раз." in said
        assert "отправьте ему /web в личном чате" in said  # how to get a new one

    answer = await harness.server.next_message(PARENT.id)
    assert answer.text is not None and "Ответ специалиста МОЦ" in answer.text
    assert "предупредите педагога" in answer.text
    async with harness.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.status == "answered"
        assert ticket.answered_by == ADMIN.id


async def test_an_address_the_panel_has_not_is_explained_in_russian(
    harness: BotHarness, panel: None
) -> None:
    """A link cut short in a chat, or an old bookmark: aiohttp's own «404: Not Found» page
    was all a staff member saw; now the panel says it in Russian and where to go."""
    async with signed_in(harness, ADMIN) as page:
        for path in ("/web/evnts", "/web/events/12/participants.pdf", "/web/static/"):
            response = await page.goto(page.url.split("/web/")[0] + path)
            assert response is not None and response.status == 404
            shown = await page.locator("body").inner_text()
            assert "Not Found" not in shown and "Такой страницы в панели нет" in shown, shown


async def test_a_form_from_before_a_new_sign_in_keeps_what_was_typed(
    harness: BotHarness, panel: None
) -> None:
    """A tab opened before the staff member signed in again (a new link from /web) carries the
    old session's form token: the answer is refused, as it must be, and the page used to say
    only «обновите страницу» — which threw the typed answer away. Now it shows the answer to
    copy and sends nothing."""
    async_playwright = browser_or_skip()
    await ticket(harness.sessionmaker, "Когда запись?")
    first, second = await login_link(harness, ADMIN), await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        context = await browser.new_context()
        old = await context.new_page()
        await old.goto(first)
        await old.wait_for_url("**/web/tickets", timeout=15_000)
        await old.goto(old.url.replace("/web/tickets", "/web/tickets/1"))
        new = await context.new_page()
        await new.goto(second)
        await new.wait_for_url("**/web/tickets", timeout=15_000)

        await old.get_by_label(re.compile("^Ответ")).fill("Запись откроется <b>в понедельник</b>")
        await old.get_by_role("button", name="Отправить").click()
        kept = old.get_by_role("textbox")
        await kept.first.wait_for(timeout=15_000)
        assert await kept.first.input_value() == "Запись откроется <b>в понедельник</b>"
        assert "ничего не отправлено" in await old.locator("body").inner_text()
    async with harness.sessionmaker() as session:
        assert (await session.scalars(select(Ticket))).one().status == "open"
