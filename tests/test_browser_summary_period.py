"""«Сводка» for the yearly form, in a real browser (headless Chromium, as test_browser_report):
besides the rolling 14/30/90-day windows, staff choose this or last calendar year or school year
(1 September – 31 August), as /report 2026 and /report 2025-2026 give them; every part of the
page then counts those days: questions (by month), topics, time to first answers, registrations
and broadcasts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.services.reports.period import academic_year
from storage.db import SessionMaker
from storage.models import FaqQuery, Ticket, TicketMessage, User
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.browser import signed_in
from tests.helpers.events import register, seed_event, seed_teacher

PARENT = 3001


def local_noon(day: date, harness: BotHarness) -> datetime:
    return datetime.combine(day, time(12), harness.settings.tz).astimezone(UTC)


async def seed(harness: BotHarness, today: date) -> dict[str, datetime]:
    """Questions the bot answered on days around the year boundaries, a ticket answered in an
    hour last year, and a master class last year with a registration."""
    sm: SessionMaker = harness.sessionmaker
    y = today.year
    answered = {
        "yesterday": local_noon(today - timedelta(days=1), harness),
        "february": local_noon(date(y, 2, 10), harness),
        "last october": local_noon(date(y - 1, 10, 5), harness),
        "last march": local_noon(date(y - 1, 3, 1), harness),
    }
    async with sm() as s:
        s.add(User(id=PARENT, first_name="Ольга"))
        await s.flush()
        s.add_all(
            FaqQuery(user_id=PARENT, text="сертификат", outcome="answer", created_at=at)
            for at in answered.values()
        )
        opened = answered["last october"]
        ticket = Ticket(user_id=PARENT, chat_id=PARENT, question="?", created_at=opened)
        ticket.messages.append(TicketMessage(author_id=PARENT, text="?", created_at=opened))
        ticket.messages.append(
            TicketMessage(
                author_id=1, from_staff=True, text="!", created_at=opened + timedelta(hours=1)
            )
        )
        s.add(ticket)
        await s.commit()
    await seed_teacher(sm, TEACHER, "Сидоров Пётр Ильич")
    old = await seed_event(sm, starts_at=answered["last october"], kind="master_class")
    await register(sm, old, TEACHER)
    return answered


def within(moments: dict[str, datetime], first: date, last: date, harness: BotHarness) -> int:
    tz = harness.settings.tz
    return sum(1 for m in moments.values() if first <= m.astimezone(tz).date() <= last)


async def test_staff_choose_a_calendar_or_school_year_in_the_summary(
    harness: BotHarness, panel: None
) -> None:
    today = datetime.now(harness.settings.tz).date()
    answered = await seed(harness, today)
    y, school = today.year, academic_year(today)[0].year
    async with signed_in(harness, ADMIN) as page:
        await page.get_by_role("link", name="Сводка").click()
        await page.wait_for_url("**/web/summary")
        # the rolling windows by default: only yesterday's question
        assert "Вопросы боту за 14 дней" in await page.locator("#questions-title").inner_text()
        assert (await page.locator("#total-answered").inner_text()).endswith(": 1")

        choices = {
            f"{y} год": (date(y, 1, 1), date(y, 12, 31)),
            f"{y - 1} год": (date(y - 1, 1, 1), date(y - 1, 12, 31)),
            f"{school}/{school + 1} учебный год": academic_year(date(school, 9, 1)),
            f"{school - 1}/{school} учебный год": academic_year(date(school - 1, 9, 1)),
        }
        for label, (first, last) in choices.items():
            await page.get_by_label("Период").select_option(label=label)
            await page.get_by_role("button", name="Показать").click()
            title = page.locator("#questions-title")
            await page.get_by_text(f"с {first:%d.%m.%Y} по {last:%d.%m.%Y}").first.wait_for()
            assert label in await title.inner_text()
            assert f"с {first:%d.%m.%Y} по {last:%d.%m.%Y}" in await title.inner_text()
            expected = within(answered, first, last, harness)
            assert (await page.locator("#total-answered").inner_text()).endswith(f": {expected}")
            assert await page.get_by_label("Период").input_value() in page.url  # kept selected
            text = await page.locator("main").inner_text()
            held = first <= answered["last october"].astimezone(harness.settings.tz).date() <= last
            # the master class and the ticket answered in an hour are last October's
            assert ("Мастер-класс" in text) is held
            assert ("медиана 1 ч 00 мин" in text) is held
            if held:  # questions by month: October's bar is there
                assert f"октябрь {y - 1}" in text
