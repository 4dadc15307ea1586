"""«База знаний» in a real browser (Debian's Chromium driven by Playwright, as in
test_browser_panel.py): a staff member signs in with the link from /web, opens an entry,
the live check flags a broken answer next to the field, the fixed answer is saved, and the
next parent who asks that question in Telegram gets the new text, without a restart.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.app.panel import start_panel_server
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from handlers.tg.messenger import TelegramMessenger
from tests.conftest import ADMIN, PARENT, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.browser import (
    DOCS,
    LINK,
    browser_or_skip,
    chromium,
)  # fmt: skip
from tests.helpers.browser import settings as settings  # a fixture

SCREENSHOT = DOCS / "web-kb.png"
NEW_ANSWER = "<b>Контакты МОЦ</b>\nЗвоните: {moc_phone}. С 1 января — новый адрес: ул. Мира, 3."


@pytest.fixture
async def kb_bot(
    server: FakeTelegramServer, settings: Settings, sessionmaker: object
) -> AsyncIterator[BotHarness]:
    """The bot and its panel on one FaqService of their own (a save changes it)."""
    faq = FaqService(None, settings.placeholders())
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq)  # type: ignore[arg-type]
    harness = BotHarness(server, settings, sessionmaker, dp, bot, task)  # type: ignore[arg-type]
    runner = await start_panel_server(
        settings, harness.sessionmaker, TelegramMessenger(bot), SystemClock(), faq=faq
    )
    assert runner is not None
    yield harness
    await runner.cleanup()
    await stop_bot(harness.dp, harness.task)


async def test_staff_edit_an_answer_in_the_browser_and_the_parent_gets_it(
    kb_bot: BotHarness,
) -> None:
    async_playwright = browser_or_skip()
    phone = kb_bot.settings.moc_phone
    before = await kb_bot.say(PARENT, "контакты моц")
    assert "ул. Мира" not in before.text
    sent = await kb_bot.say(ADMIN, "/web")
    found = LINK.search(sent.text or "")
    assert found is not None, sent.text

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(found.group(1))
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="База знаний").click()
        await page.wait_for_url("**/web/kb")
        await page.get_by_label("Вопрос, как его написал бы родитель").fill("контакты моц")
        await page.get_by_role("button", name="Что ответит бот").click()
        await page.locator("#tried").get_by_text("бот сразу ответит статьёй").wait_for()
        await page.get_by_label("Поиск статьи").fill("контакты")
        await page.get_by_role("button", name="Найти").click()
        await page.get_by_role("link", name="Контакты и часы работы МОЦ").click()
        await page.wait_for_url("**/web/kb/entry/moc.contacts")

        answer = page.get_by_label(re.compile("^Ответ"))
        await answer.fill("Звоните: {moc_fax}")  # the live check (kb.js) flags it
        errors = page.locator("#err-answer")
        await errors.get_by_text("неизвестный плейсхолдер {moc_fax}").wait_for(timeout=20_000)
        await answer.fill(NEW_ANSWER)
        await page.get_by_text("Проверено: ошибок нет").wait_for(timeout=20_000)
        preview = page.locator("#preview")
        assert await preview.locator("b").inner_text() == "Контакты МОЦ"
        assert phone in await preview.inner_text()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        await page.get_by_role("button", name="Сохранить").click()
        await page.get_by_text("Сохранено: бот уже отвечает").wait_for(timeout=30_000)

    after = await kb_bot.say(PARENT, "контакты моц")
    assert after.text == f"Контакты МОЦ\nЗвоните: {phone}. С 1 января — новый адрес: ул. Мира, 3."


async def test_the_editors_errors_name_the_fields_in_russian(kb_bot: BotHarness) -> None:
    """The checker speaks to YAML editors («поле answer», «в related», «в questions»); on the
    page each message stands by its field, and a staff member reads it in Russian."""
    async_playwright = browser_or_skip()
    sent = await kb_bot.say(ADMIN, "/web")
    found = LINK.search(sent.text or "")
    assert found is not None, sent.text

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(found.group(1))
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.goto(page.url.replace("/web/tickets", "/web/kb/entry/moc.contacts"))
        await page.get_by_label(re.compile("^Ответ")).fill("Звоните: {moc_fax}")
        await page.get_by_label(re.compile("^Примеры вопросов")).fill("телефон моц")
        await page.get_by_label(re.compile("^Связанные статьи")).fill("moc.nonexistent")
        await page.get_by_role("button", name="Проверить").click()
        shown = {}
        for name in ("answer", "questions", "related"):
            errors = page.locator(f"#err-{name} li").first
            await errors.wait_for(timeout=20_000)
            shown[name] = await page.locator(f"#err-{name}").inner_text()
        assert "неизвестный плейсхолдер {moc_fax}" in shown["answer"]
        assert "moc.nonexistent" in shown["related"]
        for text in shown.values():
            assert not re.search(r"\b(answer|questions|related)\b", text), shown
