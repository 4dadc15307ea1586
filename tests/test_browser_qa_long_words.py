"""An event whose title holds a pasted link (a webinar's Сферум address), opened on a phone
(headless Chromium at 375 px, the harness of test_browser_qa_panel.py): its page, its editor
and «Закрыть запись» fit the screen instead of scrolling sideways."""

from __future__ import annotations

from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.browser import signed_in
from tests.helpers.events import seed_event

CALL = "https://sferum.ru/?call_link=" + "gK3FqZt8Lw0Xy2mNcB7vR5pHsJ4dE1aU9oIiT6" * 2


async def test_an_event_titled_with_a_link_fits_a_phone(harness: BotHarness, panel: None) -> None:
    """The heading «№1 · Вебинар … https://sferum.ru/?call_link=…» did not wrap: the event's
    page, its form and the close confirmation were three times the phone's width, the
    participants and buttons half off the screen."""
    number = await seed_event(
        harness.sessionmaker, title=f"Вебинар для наставников {CALL}", format="online",
        place=CALL,
    )  # fmt: skip
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size({"width": 375, "height": 740})
        wide = {}
        for path in (f"/web/events/{number}", f"/web/events/{number}/edit",
                     f"/web/events/{number}/close"):  # fmt: skip
            await page.goto(harness.settings.panel_url + path)
            await page.get_by_role("heading", level=1).wait_for()
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                wide[path] = width
        assert wide == {}, wide
