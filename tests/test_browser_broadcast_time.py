"""The broadcast form's «в» date in a real browser (Debian's Chromium, as
tests/test_browser_broadcasts.py). The date field takes whatever year is typed: a slip of one
digit makes year 1 (the page crashed with an English «500 Internal Server Error» and the text
was lost) or 9999 (planned silently for a millennium ahead). Both are refused by the field, in
Russian, with the text kept — as the event form does with «Проверьте год»."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from storage.models import Broadcast, Chat, ChatAudience
from tests.conftest import ADMIN, BotHarness
from tests.helpers.browser import panel_server, signed_in
from tests.helpers.browser import settings as settings  # a fixture

GROUP = -1001001
TEXT = "Собрание в четверг"


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[None]:
    async with harness.sessionmaker() as session:
        chat = Chat(id=GROUP, kind="supergroup", title="Родители 1А")
        chat.audiences = [ChatAudience(chat_id=GROUP, audience="parents")]
        session.add(chat)
        await session.commit()
    async with panel_server(harness):
        yield


@pytest.mark.parametrize("at", ["0001-03-05T10:00", "9999-03-05T10:00"])
async def test_a_year_typed_wrong_is_refused_by_the_field(
    harness: BotHarness, panel: None, at: str
) -> None:
    async with signed_in(harness, ADMIN) as page:
        await page.goto(page.url.replace("/web/tickets", "/web/broadcasts/new"))
        await page.get_by_label("Текст").fill(TEXT)
        await page.get_by_label("в", exact=True).check()
        await page.get_by_label("Дата и время отправки").fill(at)
        await page.get_by_role("button", name="Предпросмотр").click()
        error = page.locator("#err-at")
        await error.wait_for(timeout=15_000)
        assert "Проверьте год" in await error.inner_text()
        assert await page.get_by_label("Текст").input_value() == TEXT
        assert not await page.get_by_role("button", name="Запланировать").count()
    async with harness.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0
