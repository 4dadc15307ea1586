"""«База знаний» as a methodist uses it from a phone (headless Chromium at 375 px, the
harness of test_browser_kb.py): finding an article by the words she remembers, typed without
«ё», and reading what «Проверить вопрос» says the bot will do — in Russian."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import LINK, browser_or_skip, chromium
from tests.helpers.browser import settings as settings  # a fixture
from tests.test_browser_kb import kb_bot as kb_bot  # a fixture

PHONE = {"width": 375, "height": 740}


@asynccontextmanager
async def kb_page(harness: BotHarness) -> AsyncIterator[Any]:
    """«База знаний» open on a phone, signed in by the owner's /web link."""
    async_playwright = browser_or_skip()
    found = LINK.search((await harness.say(ADMIN, "/web")).text or "")
    assert found is not None
    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(found.group(1))
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="База знаний").click()
        await page.wait_for_url("**/web/kb")
        yield page


async def test_an_article_is_found_by_its_words_in_any_order_and_without_yo(
    kb_bot: BotHarness,
) -> None:
    """«ребенку 18» found nothing: the title is «Ребёнку исполняется 18 посреди года», and
    the search wanted «ё» and the words side by side, as typed in the title."""
    async with kb_page(kb_bot) as page:
        for typed, title in (
            ("ребенку 18", "Ребёнку исполняется 18 посреди года"),
            ("сертификат ОВЗ", "Сертификат для ребёнка с ОВЗ или инвалидностью"),
        ):
            await page.get_by_label("Поиск статьи").fill(typed)
            await page.get_by_role("button", name="Найти").click()
            await page.get_by_text("Найдено:").wait_for()
            assert await page.get_by_role("link", name=title).count() == 1, typed


async def test_what_the_bot_will_do_with_a_question_is_said_in_russian(
    kb_bot: BotHarness,
) -> None:
    """«Проверить вопрос» marked its verdict «SMALLTALK», «ANSWER» — the matcher's English."""
    async with kb_page(kb_bot) as page:
        for question in ("здравствуйте", "как активировать сертификат"):
            await page.get_by_label("Вопрос, как его написал бы родитель").fill(question)
            await page.get_by_role("button", name="Что ответит бот").click()
            await page.wait_for_url(re.compile(r".*try=.*"))
            mark = await page.locator("#tried .kind").inner_text()
            assert re.fullmatch(r"[А-ЯЁ ]+", mark), mark  # «ВЕЖЛИВОСТЬ», not «SMALLTALK»
