"""Getting into the panel as a methodist does (headless Chromium at 375 px, the harness of
test_browser_panel.py): the address «…/web» as README and the bot's log give it, the link in
the chat tapped a second time while its session runs, the sign-in page's bookmark."""

from __future__ import annotations

from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import browser_or_skip, chromium, login_link, signed_in
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture

PHONE = {"width": 375, "height": 740}


async def test_the_panels_address_without_a_slash_opens_the_panel(
    harness: BotHarness, panel: None
) -> None:
    """README and the log say the panel is at «http://127.0.0.1:8080/web»: typed so by a
    signed-in methodist, it was «Такой страницы в панели нет»."""
    base = harness.settings.panel_url
    async_playwright = browser_or_skip()
    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(base + "/web")
        await page.wait_for_url("**/web/signin")
        assert "Войдите через бота" in await page.locator("main").inner_text()
    async with signed_in(harness, ADMIN) as page:
        await page.goto(base + "/web")
        await page.wait_for_url("**/web/tickets")


async def test_the_link_tapped_again_while_signed_in_opens_the_panel(
    harness: BotHarness, panel: None
) -> None:
    """The methodist opens the panel from the bot's message, closes the tab, and later taps
    the same link in the chat: «Эта ссылка уже использована… Войдите через бота» — though
    her session was running. She asked the bot for a new link, and the new sign-in made the
    forms in her other tabs stale. Now the used link opens the panel she is signed in to;
    the sign-in page's bookmark does too."""
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size(PHONE)
        link = await login_link(harness, ADMIN)
        await page.goto(link)
        await page.wait_for_url("**/web/tickets")
        await page.goto(link)  # once more
        await page.wait_for_url("**/web/tickets")
        assert "уже использована" not in await page.locator("body").inner_text()
        await page.goto(harness.settings.panel_url + "/web/signin")
        await page.wait_for_url("**/web/tickets")

        await page.get_by_role("button", name="Выйти").click()
        await page.wait_for_url("**/web/signin")
        refused = await page.goto(link)  # signed out: the used link is refused, and says why
        assert refused is not None and refused.status == 403
        assert "уже использована" in await page.locator("main").inner_text()


async def test_signing_out_from_a_tab_older_than_the_latest_sign_in_signs_out(
    harness: BotHarness, panel: None
) -> None:
    """Two tabs: the panel open since the morning, then a new link from the bot opened in
    another tab. «Выйти» in the first said «Форма устарела… скопируйте набранное» — and the
    browser of a shared computer in the МОЦ stayed signed in. Now it asks once more with a
    fresh form, and «Выйти» signs out (every tab)."""
    async_playwright = browser_or_skip()
    first, second = await login_link(harness, ADMIN), await login_link(harness, ADMIN)
    async with async_playwright() as playwright, chromium(playwright) as browser:
        tabs = await browser.new_context(viewport=PHONE)
        old = await tabs.new_page()
        await old.goto(first)
        await old.wait_for_url("**/web/tickets", timeout=15_000)
        new = await tabs.new_page()
        await new.goto(second)
        await new.wait_for_url("**/web/tickets", timeout=15_000)

        await old.get_by_role("button", name="Выйти").click()
        await old.get_by_role("heading", name="Выйти из панели?").wait_for(timeout=15_000)
        await old.locator("main").get_by_role("button", name="Выйти").click()
        await old.wait_for_url("**/web/signin")
        await new.reload()
        await new.wait_for_url("**/web/signin")
