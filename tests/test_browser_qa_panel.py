"""Outside QA of the staff panel on a phone (headless Chromium at 360 px, Playwright): every
section fits the screen without sideways scrolling, even with a parent's long link or an
unbroken word in a ticket, and the answer form is reachable."""

from __future__ import annotations

from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.browser import signed_in
from tests.helpers.events import seed_event
from tests.helpers.panel import ticket
from tests.test_e2e_tickets import ask_specialist

COLLEAGUE = FakeUser(id=1001, first_name="Ирина", last_name="Коллега")

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


async def test_on_a_phone_an_answer_after_a_colleagues_is_held_then_sent(
    harness: BotHarness, panel: None
) -> None:
    h = harness
    number = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    async with signed_in(h, ADMIN) as page:
        await page.set_viewport_size({"width": 360, "height": 740})
        await page.goto(f"{h.settings.panel_url}/web/tickets/{number}")
        box = page.get_by_label("Ответ (придёт автору вопроса")
        await box.fill("Нет, приходите к 11:00 🙂")
        h.server.user_sends(
            "Да, к 10:00.", user=COLLEAGUE, chat_id=STAFF_CHAT, chat_type="supergroup",
            reply_to=post,
        )  # fmt: skip
        await h.server.next_message(PARENT.id)
        await page.get_by_role("button", name="Отправить ответ").click()
        await page.get_by_role("alert").get_by_text("уже ответили").wait_for(timeout=15_000)
        assert await box.input_value() == "Нет, приходите к 11:00 🙂"  # nothing typed is lost
        assert await page.get_by_text("Да, к 10:00.").count() == 1  # what the colleague said
        await page.get_by_role("button", name="Отправить ответ").click()  # send it anyway
        await page.get_by_text("Ответ отправлен в Telegram").wait_for(timeout=15_000)
    second = await h.server.next_message(PARENT.id)
    assert second.text is not None and "приходите к 11:00 🙂" in second.text
