"""«Рассылки» list in a real browser (Debian's Chromium, as tests/test_browser_broadcasts.py):
every event edit or cancellation queues its notice as a broadcast too, so a month of work
pushes a broadcast planned for later off a list that showed only the last 30 — and staff could
no longer open it to cancel it. The planned ones stay on top; older ones are a page away."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from broadcasts import service
from broadcasts.content import Content
from storage.models import BroadcastState, Chat, ChatAudience
from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import browser_or_skip, chromium, login_link
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture

GROUP = -1001001


async def seed(harness: BotHarness) -> int:
    """A broadcast planned for next week, then 40 event notices sent since: its id."""
    now = datetime.now(UTC)
    target = service.Target(("parents",), (), True)
    async with harness.sessionmaker() as session:
        chat = Chat(id=GROUP, kind="supergroup", title="Родители 1А")
        chat.audiences = [ChatAudience(chat_id=GROUP, audience="parents")]
        session.add(chat)
        await session.flush()
        planned = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание через неделю"),
            target=target, at=now + timedelta(days=7), now=now,
        )  # fmt: skip
        for n in range(40):
            notice = await service.create_broadcast(
                session, author_id=ADMIN.id, content=Content("text", f"Изменилось место {n}"),
                target=target, at=None, now=now,
            )  # fmt: skip
            notice.state = BroadcastState.DONE
        await session.commit()
        return planned.id


async def test_a_planned_broadcast_stays_reachable_under_many_newer_ones(
    harness: BotHarness, panel: None
) -> None:
    async_playwright = browser_or_skip()
    planned = await seed(harness)
    link = await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page()
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="Рассылки").click()
        await page.wait_for_url("**/web/broadcasts")
        await page.get_by_role("link", name=re.compile(rf"^№{planned}\s")).click(timeout=5_000)
        await page.wait_for_url(f"**/web/broadcasts/{planned}")
        await page.get_by_role("link", name="Отменить рассылку").click()  # asks first
        await page.wait_for_url(f"**/web/broadcasts/{planned}/cancel")
        await page.get_by_role("button", name="Да, отменить рассылку").click()
        await page.get_by_text("Рассылка отменена").wait_for(timeout=15_000)

        await page.get_by_role("link", name="← Рассылки").click()
        await page.wait_for_url("**/web/broadcasts")
        assert await page.get_by_text("Изменилось место 0", exact=True).count() == 0
        await page.get_by_role("link", name="Дальше →").click()
        await page.get_by_text("Изменилось место 0", exact=True).wait_for(timeout=15_000)
        await page.get_by_role("link", name="← Назад").wait_for()
