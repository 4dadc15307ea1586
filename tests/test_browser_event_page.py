"""An event's page for staff on a phone, in headless Chromium (skipped without
/usr/bin/chromium, as tests/test_browser_panel.py): the participants table keeps its headers
whole at 375 px, and «Закрыть запись» asks on a page of its own, then «Открыть запись» undoes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import EventStatus
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.browser import signed_in
from tests.helpers.events import load_event, register, seed_event, seed_teacher

SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")
# the words of each header that the browser laid out on more than one line («Стат|ус»)
BROKEN_WORDS = """() => [...document.querySelectorAll("table.people th")].flatMap((th) => {
  const node = th.firstChild, broken = [], words = /\\S+/g;
  for (let m; (m = words.exec(node.textContent)); ) {
    const range = document.createRange();
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > 1) broken.push(m[0]);
  }
  return broken;
})"""


async def test_on_a_phone_the_headers_stay_whole_and_closing_asks_first(
    harness: BotHarness, panel: None
) -> None:
    event_id = await seed_event(harness.sessionmaker, starts_at=datetime.now(UTC) + timedelta(7))
    for who, name in ((TEACHER, "Константинопольская Александра Вячеславовна"),
                      (SECOND, "Петрова Ольга Ивановна")):  # fmt: skip
        await seed_teacher(
            harness.sessionmaker, who, name, "МБОУ «Средняя общеобразовательная школа № 12»"
        )
        await register(harness.sessionmaker, event_id, who)

    async with signed_in(harness, ADMIN) as page:
        await page.set_viewport_size({"width": 375, "height": 800})  # a phone
        await page.goto(page.url.replace("/web/tickets", f"/web/events/{event_id}"))
        await page.get_by_role("cell", name="Петрова Ольга Ивановна").wait_for(timeout=15_000)
        assert await page.evaluate(BROKEN_WORDS) == []
        sideways = "document.documentElement.scrollWidth - window.innerWidth"
        assert await page.evaluate(sideways) <= 0  # the page itself does not scroll sideways

        await page.get_by_role("link", name="Закрыть запись").click()
        await page.get_by_text("Закрыть запись?").wait_for(timeout=15_000)
        assert (await load_event(harness.sessionmaker, event_id)).status == "published"
        await page.get_by_role("button", name="Да, закрыть запись").click()
        await page.get_by_text("Запись закрыта: мероприятие остаётся").wait_for(timeout=15_000)
        assert (await load_event(harness.sessionmaker, event_id)).status == EventStatus.CLOSED

        await page.get_by_role("button", name="Открыть запись").click()
        await page.get_by_text("Запись снова открыта").wait_for(timeout=15_000)
        assert (await load_event(harness.sessionmaker, event_id)).status == EventStatus.PUBLISHED
