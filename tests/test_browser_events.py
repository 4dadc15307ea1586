"""«Мероприятия» in a real browser: headless Chromium from Debian (/usr/bin/chromium) driven by
Playwright, against the real bot polling the fake Telegram server.

A staff member sends /web in Telegram → opens the link → creates an event on the page (a wrong
date first: the error shows next to the field) → a teacher finds it in the bot's /events.
Without /usr/bin/chromium the test skips (fails under CI), as tests/test_browser_panel.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.helpers.browser import (
    DOCS,
    browser_or_skip,
    chromium,
    login_link,
)  # fmt: skip
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.events import load_event, seed_event, seed_teacher

SCREENSHOT = DOCS / "web-events.png"
TITLE = "Семинар «Наставничество <в школе>»"


async def test_staff_create_an_event_in_the_browser_and_teachers_see_it(
    harness: BotHarness, panel: None
) -> None:
    async_playwright = browser_or_skip()
    await seed_teacher(harness.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    day = datetime.now(harness.settings.tz) + timedelta(days=7)
    link = await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 900})  # a phone
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="Мероприятия").click()
        await page.wait_for_url("**/web/events")
        await page.get_by_role("link", name="Новое мероприятие").click()
        await page.get_by_label("Название").fill(TITLE)
        await page.get_by_label("Дата и время начала").fill("31.02.2027 15:00")
        await page.get_by_label("Длительность, минут").fill("90")
        await page.get_by_label("Место (адрес) или ссылка для онлайн").fill("ул. Ленина, 1")
        await page.get_by_label("Число мест").fill("25")
        await page.get_by_role("button", name="Опубликовать").click()
        error = page.locator("#err-starts")
        await error.wait_for(timeout=15_000)
        assert "Такой даты нет" in await error.inner_text()
        assert await page.get_by_label("Название").input_value() == TITLE  # kept

        await page.get_by_label("Дата и время начала").fill(f"{day:%d.%m.%Y} 15:00")
        await page.get_by_role("button", name="Опубликовать").click()
        await page.get_by_text("опубликовано").wait_for(timeout=15_000)
        assert TITLE in await page.locator("h1").inner_text()  # shown as text

        await page.get_by_role("link", name="← Мероприятия").click()
        await page.wait_for_url("**/web/events")
        await page.get_by_role("link", name=re.compile("Наставничество")).wait_for()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

    listing = await harness.say(TEACHER, "/events")
    # the fake API turns the bot's HTML into what the teacher reads: the title, not markup
    assert TITLE in (listing.text or "")


async def test_two_staff_edit_one_event_and_neither_change_is_lost(
    harness: BotHarness, panel: None
) -> None:
    """Two tabs opened the same event; the one saved second had the old title in its form and
    used to put it back silently. Now it is told, keeps what it typed and shows the new title."""
    async_playwright = browser_or_skip()
    starts = datetime.now(UTC) + timedelta(days=7)
    event_id = await seed_event(harness.sessionmaker, starts_at=starts)
    edit = f"/web/events/{event_id}/edit"
    first_link, second_link = await login_link(harness, ADMIN), await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        first, second = await browser.new_page(), await browser.new_page()
        for tab, link in ((first, first_link), (second, second_link)):
            await tab.goto(link)
            await tab.wait_for_url("**/web/tickets", timeout=15_000)
            await tab.goto(tab.url.replace("/web/tickets", edit))
        await first.get_by_label("Название").fill("Семинар «Новое название»")
        await first.get_by_role("button", name="Сохранить изменения").click()
        await first.get_by_text("Изменения сохранены").wait_for(timeout=15_000)

        await second.get_by_label("Место (адрес) или ссылка для онлайн").fill("ул. Мира, 5")
        await second.get_by_role("button", name="Сохранить изменения").click()
        alert = second.get_by_role("alert")
        await alert.wait_for(timeout=15_000)
        assert "другой сотрудник" in await alert.inner_text()
        assert "другой сотрудник" in await second.locator("#err-title").inner_text()
        assert await second.get_by_label("Название").input_value() == "Семинар «Новое название»"
        place = second.get_by_label("Место (адрес) или ссылка для онлайн")
        assert await place.input_value() == "ул. Мира, 5"  # what they typed is kept
        event = await load_event(harness.sessionmaker, event_id)
        assert (event.title, event.place) == ("Семинар «Новое название»", "ул. Ленина, 1, каб. 5")

        await second.get_by_role("button", name="Сохранить изменения").click()
        await second.get_by_text("Изменения сохранены").wait_for(timeout=15_000)
    event = await load_event(harness.sessionmaker, event_id)
    assert (event.title, event.place) == ("Семинар «Новое название»", "ул. Мира, 5")
