"""Outside QA of the panel as a МОЦ methodist who uses it for the first time, partly from a
phone (headless Chromium from Debian at 375 px, Playwright, as tests/test_browser_qa_panel.py):
a form sent after the session ended in another tab, the browser's «Назад» after publishing an
event, sending a broadcast or answering a ticket, and the broadcast form's ticks on a
phone."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.models import Broadcast, Chat, ChatAudience, Event
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.helpers.browser import browser_or_skip, chromium, login_link, panel_server, signed_in
from tests.helpers.browser import settings as settings  # a fixture
from tests.test_e2e_tickets import ask_specialist

PHONE = {"width": 375, "height": 740}
TITLE = "Семинар «Наставничество» для молодых педагогов"
DESCRIPTION = "Программа семинара:\n1. Знакомство.\n2. Разбор случаев <из практики> & вопросы."


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[None]:
    """The panel beside the bot, with one parents' group (a broadcast has recipients)."""
    async with harness.sessionmaker() as session:
        chat = Chat(id=-1001001, kind="supergroup", title="Родители 1А")
        chat.audiences = [ChatAudience(chat_id=-1001001, audience="parents")]
        session.add(chat)
        await session.commit()
    async with panel_server(harness):
        yield


async def _events(harness: BotHarness) -> int:
    async with harness.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def _fill_event(page: object, day: datetime) -> None:
    fill = page.get_by_label  # type: ignore[attr-defined]
    await fill("Название").fill(TITLE)
    await fill("Дата и время начала").fill(f"{day:%d.%m.%Y} 15:00")
    await fill("Длительность, минут").fill("90")
    await fill("Место (адрес) или ссылка для онлайн").fill("ул. Ленина, 1, каб. 5")
    await fill("Число мест").fill("25")
    await fill("Описание (необязательно, до 3000 символов)").fill(DESCRIPTION)


async def test_a_form_sent_after_signing_out_in_another_tab_keeps_what_was_typed(
    harness: BotHarness, panel: None
) -> None:
    """Two tabs: the event form half an hour in the making, «Выйти» pressed in the other.
    «Опубликовать» got a bare «Войдите через /web в боте.» and the title and description
    were gone (going back re-opened the form — now a sign-in page). Now the page says what
    happened in Russian and shows what was typed, each box named as on the form, to copy after
    signing in again."""
    async_playwright = browser_or_skip()
    day = datetime.now(harness.settings.tz) + timedelta(days=7)
    link = await login_link(harness, ADMIN)
    async with async_playwright() as playwright, chromium(playwright) as browser:
        tabs = await browser.new_context(viewport=PHONE)
        form = await tabs.new_page()
        await form.goto(link)
        await form.wait_for_url("**/web/tickets", timeout=15_000)
        await form.goto(harness.settings.panel_url + "/web/events/new")
        await _fill_event(form, day)
        other = await tabs.new_page()
        await other.goto(harness.settings.panel_url + "/web/tickets")
        await other.get_by_role("button", name="Выйти").click()
        await other.wait_for_url("**/web/signin")

        await form.get_by_role("button", name="Опубликовать").click()
        await form.get_by_role("alert").wait_for(timeout=15_000)
        shown = await form.locator("body").inner_text()
        assert "Войдите через /web" in shown and "ничего не сохранено" in shown, shown
        kept = [await box.input_value() for box in await form.get_by_role("textbox").all()]
        assert TITLE in kept and DESCRIPTION in kept, kept
        assert "seminar" not in kept and "offline" not in kept, kept  # a list's choice, in English
        assert await form.get_by_label("Название").input_value() == TITLE  # which box is which
        assert await form.get_by_label("Описание").input_value() == DESCRIPTION
    assert await _events(harness) == 0


async def test_back_after_publishing_and_publish_again_makes_no_second_event(
    harness: BotHarness, panel: None
) -> None:
    """«Назад» after «Опубликовать» shows the form again with everything typed (the browser
    restores it); a methodist unsure it was saved presses «Опубликовать» once more — and the
    teachers saw the same seminar twice in the bot. Now the form says the event exists, links
    it, and keeps the fields."""
    day = datetime.now(harness.settings.tz) + timedelta(days=7)
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size(PHONE)
        await page.goto(harness.settings.panel_url + "/web/events/new")
        await _fill_event(page, day)
        await page.get_by_role("button", name="Опубликовать").click()
        await page.get_by_text("опубликовано").wait_for(timeout=15_000)
        first = page.url

        await page.go_back()
        await page.get_by_label("Название").fill(TITLE)  # as the browser restores it
        await page.get_by_label("Дата и время начала").fill(f"{day:%d.%m.%Y} 15:00")
        await page.get_by_role("button", name="Опубликовать").click()
        error = page.locator("#err-title")
        await error.wait_for(timeout=15_000)
        assert "уже опубликовано" in await error.inner_text()
        assert await page.get_by_label("Название").input_value() == TITLE
        await page.get_by_role("link", name="№1").click()
        await page.wait_for_url(first.split("?")[0])
    assert await _events(harness) == 1


async def test_on_a_phone_each_tick_of_the_broadcast_form_is_beside_its_words(
    harness: BotHarness, panel: None
) -> None:
    """«Кому» and «Когда» on a phone: every checkbox and radio was stretched to the form's
    width, its box in the middle of the line and its words pushed to the right edge — which
    tick is «Родители» and which is «Руководители» had to be guessed."""
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size(PHONE)
        await page.goto(harness.settings.panel_url + "/web/broadcasts/new")
        gaps = await page.evaluate(
            """() => [...document.querySelectorAll('label.check')].map(label => {
                const box = label.querySelector('input').getBoundingClientRect();
                const words = document.createRange();
                words.setStartAfter(label.querySelector('input'));
                words.setEndAfter(label.lastChild);
                const middle = box.left + box.width / 2;  // where the box is drawn
                const gap = words.getBoundingClientRect().left - middle;
                return [label.textContent.trim(), Math.round(gap)];
            })"""
        )
        assert len(gaps) >= 7, gaps
        far = [(words, gap) for words, gap in gaps if gap > 24]
        assert far == [], far  # a box more than a couple of letters from its words


async def test_back_after_answering_a_ticket_and_send_again_reaches_the_parent_once(
    harness: BotHarness, panel: None
) -> None:
    """On a phone: «Отправить ответ», then «Назад» — the browser puts the answer back in the
    box, and «Отправить ответ» pressed again (did it go?) sent the parent the same answer a
    second time. The page now shows it sent once; a follow-up question still gets answers."""
    h = harness
    number = await ask_specialist(h)
    async with signed_in(h, ADMIN) as page:
        await page.set_viewport_size(PHONE)
        await page.goto(f"{h.settings.panel_url}/web/tickets/{number}")
        box = page.get_by_label("Ответ (придёт автору вопроса")
        await box.fill("Да, можно: предупредите педагога.")
        await page.get_by_role("button", name="Отправить ответ").click()
        await page.get_by_text("Ответ отправлен").wait_for(timeout=15_000)
        await page.go_back()
        await box.fill("Да, можно: предупредите педагога.")  # as the browser restores it
        await page.get_by_role("button", name="Отправить ответ").click()
        await page.get_by_text("Ответ отправлен").wait_for(timeout=15_000)
        shown = await page.locator(".thread").inner_text()
        assert shown.count("Да, можно: предупредите педагога.") == 1, shown
    await h.server.idle()
    answers = [
        m.text for m in h.server.sent_to(PARENT.id) if "предупредите педагога" in (m.text or "")
    ]
    assert len(answers) == 1, answers


async def test_back_and_reload_after_sending_a_broadcast_sends_it_once(
    harness: BotHarness, panel: None
) -> None:
    """«Отправить сейчас», then «Назад»: the browser asks to send the preview's form again,
    and after «Обновить» the preview is back with its «Отправить сейчас» — pressed, the
    parents got the announcement twice. Now the form names the broadcast already made."""
    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size(PHONE)
        await page.goto(harness.settings.panel_url + "/web/broadcasts/new")
        await page.get_by_label("Текст").fill("Собрание в четверг в 18:00")
        await page.get_by_role("button", name="Предпросмотр").click()
        await page.get_by_role("button", name="Отправить сейчас").click()
        await page.get_by_text("Рассылка создана").wait_for(timeout=15_000)
        with contextlib.suppress(Exception):  # net::ERR_CACHE_MISS: «Подтвердите отправку»
            await page.go_back()
        await page.wait_for_url("chrome-error://**")  # the browser's own page
        await page.reload()  # the preview's form sent again
        await page.get_by_role("button", name="Отправить сейчас").click()
        await page.get_by_role("alert").wait_for(timeout=15_000)
        assert "уже создана" in await page.locator("#err-form").inner_text()
        assert await page.get_by_label("Текст").input_value() == "Собрание в четверг в 18:00"
        await page.get_by_role("link", name="Рассылка №1").click()
        await page.wait_for_url("**/web/broadcasts/1")
    async with harness.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 1
