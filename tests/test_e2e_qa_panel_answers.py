"""Outside QA: a parent's ticket answered from the staff panel while the bot is running — a
colleague answers the same ticket in the staff chat meanwhile, or the parent leaves with
/forget_me. The panel is served beside the bot (the fake Telegram server behind it) and used
over HTTP as a browser would: sign-in link from /web, the ticket page, its form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot import texts
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.browser import login_link
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.test_e2e_tickets import ask_specialist

COLLEAGUE = FakeUser(id=1001, first_name="Ирина", last_name="Коллега")
FORM = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@pytest.fixture
async def browser(harness: BotHarness, panel: None) -> AsyncIterator[aiohttp.ClientSession]:
    """ADMIN's browser, signed in to the panel by the link the bot sent for /web."""
    link = await login_link(harness, ADMIN)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(link) as entered:
            assert entered.status == 200
        yield session


async def open_form(
    browser: aiohttp.ClientSession, harness: BotHarness, number: int
) -> dict[str, str]:
    url = f"{harness.settings.panel_url}/web/tickets/{number}"
    async with browser.get(url) as page:
        html = await page.text()
    fields = dict(FORM.findall(html.split('class="answer"', 1)[1]))
    return {"url": url, **fields}


def answers_to_parent(harness: BotHarness) -> list[str]:
    return [
        m.text or ""
        for m in harness.server.sent_to(PARENT.id)
        if "Ответ специалиста" in (m.text or "")
    ]


async def test_a_colleague_answered_in_the_bot_while_the_page_was_open(
    harness: BotHarness, browser: aiohttp.ClientSession
) -> None:
    h = harness
    number = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    form = await open_form(browser, h, number)  # Анна opens the ticket and starts typing

    h.server.user_sends(
        "Да, приходите к 10:00 👍", user=COLLEAGUE, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=post,
    )  # fmt: skip
    await h.server.next_message(PARENT.id)
    await h.server.idle()

    fields = {k: v for k, v in form.items() if k != "url"}
    async with browser.post(form["url"] + "/answer", data={**fields, "text": "Нет, к 11."}) as r:
        shown = await r.text()
        assert r.status == 200
    assert "уже ответил" in shown and "Да, приходите к 10:00 👍" in shown  # what was said
    assert "Нет, к 11." in shown  # the typed answer is kept to send or change
    await h.server.idle()
    assert len(answers_to_parent(h)) == 1  # the parent is not given two different answers

    again = await open_form(browser, h, number)  # seen the colleague's answer: send anyway
    fields = {k: v for k, v in again.items() if k != "url"}
    async with browser.post(again["url"] + "/answer", data={**fields, "text": "Нет, к 11."}) as r:
        assert "Ответ отправлен" in await r.text()
    await h.server.next_message(PARENT.id)
    assert len(answers_to_parent(h)) == 2 and "Нет, к 11." in answers_to_parent(h)[-1]


async def test_a_double_click_is_still_one_answer_not_a_colleagues(
    harness: BotHarness, browser: aiohttp.ClientSession
) -> None:
    h = harness
    number = await ask_specialist(h)
    form = await open_form(browser, h, number)
    fields = {k: v for k, v in form.items() if k != "url"}
    for _ in range(2):  # the second request carries the page's old state
        async with browser.post(form["url"] + "/answer", data={**fields, "text": "Да."}) as r:
            assert "Ответ отправлен" in await r.text()
    await h.server.idle()
    assert len(answers_to_parent(h)) == 1


async def test_the_parent_left_with_forget_me_while_the_page_was_open(
    harness: BotHarness, browser: aiohttp.ClientSession
) -> None:
    h = harness
    number = await ask_specialist(h)
    form = await open_form(browser, h, number)
    held = await h.say(PARENT, "/my_data")
    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES)).text
    await h.server.idle()
    before = len(h.server.sent_to(PARENT.id))

    fields = {k: v for k, v in form.items() if k != "url"}
    async with browser.post(form["url"] + "/answer", data={**fields, "text": "Да."}) as r:
        shown = await r.text()
        assert r.status == 404 and "Обращение не найдено" in shown, shown
    await h.server.idle()
    assert len(h.server.sent_to(PARENT.id)) == before  # nothing reaches a forgotten person


async def test_a_5000_character_answer_with_markup_reaches_telegram_whole(
    harness: BotHarness, browser: aiohttp.ClientSession
) -> None:
    h = harness
    number = await ask_specialist(h)
    form = await open_form(browser, h, number)
    fields = {k: v for k, v in form.items() if k != "url"}
    typed = ("Кабинет <5> & «Ёлка» 🎄 **важно**. " * 160)[:4990] + " КОНЕЦ"
    async with browser.post(form["url"] + "/answer", data={**fields, "text": typed}) as r:
        assert "Ответ отправлен в Telegram" in await r.text()
    await h.server.idle()
    got = "".join(m.text or "" for m in h.server.sent_to(PARENT.id)[-3:])
    assert "КОНЕЦ" in got and "Кабинет <5> & «Ёлка» 🎄 **важно**." in got
