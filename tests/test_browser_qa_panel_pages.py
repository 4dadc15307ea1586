"""The panel's pages on a phone (headless Chromium at 375 px, the harness of
test_browser_qa_panel.py): an event whose title holds a pasted link (a webinar's Сферум
address) fits the screen on its page, its editor and «Закрыть запись»; an address that finds
nothing is a page of the panel with a way on, not a bare line."""

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


async def test_a_missing_article_or_event_is_a_panel_page_with_a_way_back(
    harness: BotHarness, panel: None
) -> None:
    """An old link to a removed article or event, or a mistyped address: the phone showed one
    bare line («Статьи нет в базе знаний.») — no menu, no link; «/web/tickets» in the text
    could not be tapped. Now the panel's own page says it, with its menu and a link on."""
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size({"width": 375, "height": 740})
        base = harness.settings.panel_url
        for path, said in (
            ("/web/kb/entry/moc.nope", "Статьи нет в базе знаний."),
            ("/web/events/999", "Мероприятие не найдено."),
            ("/web/evnts", "Такой страницы в панели нет"),
        ):
            response = await page.goto(base + path)
            assert response is not None and response.status == 404
            assert said in await page.get_by_role("alert").inner_text(), path
            assert await page.get_by_role("heading", name="Не найдено").count() == 1
            assert await page.get_by_role("link", name="База знаний").count() == 1  # the menu
        await page.get_by_role("link", name="Открыть раздел «Обращения»").click()
        await page.wait_for_url("**/web/tickets")
