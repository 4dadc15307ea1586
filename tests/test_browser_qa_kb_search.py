"""«База знаний» as a methodist uses it from a phone (headless Chromium at 375 px, the
harness of test_browser_kb.py): finding an article by the words she remembers, typed without
«ё», and reading what «Проверить вопрос» says the bot will do — in Russian."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.conftest import ADMIN, PARENT, BotHarness
from tests.helpers.browser import LINK, browser_or_skip, chromium
from tests.helpers.browser import settings as settings  # a fixture
from tests.test_browser_kb import kb_bot as kb_bot  # a fixture

PHONE = {"width": 375, "height": 740}
DOG = "Можно ли прийти на занятие с собакой?"
DOG_QUESTIONS = (
    "можно ли с собакой на занятие\nпускают ли с животными в моц\nможно прийти с кошкой на кружок"
)


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


async def test_an_article_made_in_the_panel_by_mistake_can_be_removed(
    kb_bot: BotHarness,
) -> None:
    """A methodist made an article in the panel (a test one, or twice by mistake): there was
    no way to take it out — the history offered «Вернуть версию из файла» only to articles
    from the files, and parents kept getting it. Now «Удалить статью» removes it from the
    bot at once; the history keeps it to bring back."""
    async with kb_page(kb_bot) as page:
        await page.get_by_role("link", name="Новая статья").click()
        await page.get_by_label("Раздел").select_option(label="О МОЦ и контакты")
        await page.get_by_label(re.compile("^Заголовок")).fill(DOG)
        await page.get_by_label(re.compile("^Ответ")).fill("Нет: с животными в МОЦ нельзя.")
        await page.get_by_label(re.compile("^Примеры вопросов")).fill(DOG_QUESTIONS)
        await page.get_by_role("button", name="Сохранить").click()
        await page.get_by_text("Статья создана").wait_for(timeout=30_000)
        answer = await kb_bot.say(PARENT, "можно ли с собакой на занятие")
        assert answer.text.startswith("Нет: с животными в МОЦ нельзя.")

        await page.get_by_role("link", name="Вся история и возврат версий").click()
        await page.get_by_role("button", name="Удалить статью").click()
        await page.get_by_role("status").get_by_text("Статья удалена").wait_for(timeout=30_000)
        await page.get_by_role("link", name="← База знаний").click()
        assert await page.get_by_role("link", name=DOG).count() == 0
    answer = await kb_bot.say(PARENT, "можно ли с собакой на занятие")
    assert "с животными в МОЦ нельзя" not in (answer.text or "")
