"""An outside QA pass over the panel's compose form over real HTTP: a time typed into the
datetime field that has already passed is refused at the preview, where the methodologist
looks, not only after «Запланировать» (the preview promised «отправка …» at a past time)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from broadcasts.content import Content
from storage.db import SessionMaker
from storage.models import Broadcast
from tests.conftest import make_settings
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    Client,
    client,
    client_for,
    clock,
    messenger,
    panel_settings,
    sign_in,
)
from tests.test_web_broadcasts import compose_form, seed


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


async def test_a_past_time_in_the_datetime_field_is_refused_at_the_preview(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """It is 12:00 in Moscow (09:00 UTC); «11:30 today» was typed by a slip."""
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    form = compose_form(csrf, when="at", at="2026-12-05T11:30")
    preview = await (await client.post("/web/broadcasts/preview", data=form)).text()
    assert "Время отправки уже прошло" in preview
    assert "отправка 05.12.2026 11:30" not in preview and "Запланировать" not in preview
    soon = compose_form(csrf, when="at", at="2026-12-05T12:30")  # half an hour ahead: fine
    preview = await (await client.post("/web/broadcasts/preview", data=soon)).text()
    assert "отправка 05.12.2026 12:30" in preview and "Время отправки уже прошло" not in preview
    created = await client.post("/web/broadcasts", data=form, allow_redirects=False)
    assert created.status == 422 and "Время отправки уже прошло" in await created.text()
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


def long_announcement() -> str:
    """About 3,800 characters a parent reads, 40 links: some 6,000 characters of HTML."""
    lines = [
        f'{n}. Кружок «Робототехника» — <a href="https://navigator.example.ru/program/{n:05d}'
        f'?utm_source=moc">записаться</a>, 5–12 лет, бесплатно по сертификату.'
        for n in range(1, 41)
    ]
    return "\n".join([*lines, "Конец объявления: вопросы — методисту МОЦ."])


async def test_a_long_announcement_with_links_is_kept_whole(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """Telegram's 4096 count what the reader sees; the form cut the HTML itself at 5000, so
    the end of the announcement was silently lost (the bot's own dialog takes it whole)."""
    text = long_announcement()
    assert len(text) > 5000 and len(re.sub(r"<[^>]+>", "", text)) < 4096
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    form = compose_form(csrf, text=text)
    preview = await (await client.post("/web/broadcasts/preview", data=form)).text()
    assert "Конец объявления" in preview and "Отправить сейчас" in preview
    cap = re.search(r'<textarea[^>]* maxlength="(\d+)"', preview)
    assert cap is not None and int(cap.group(1)) >= len(text)  # the browser cuts a paste too
    created = await client.post("/web/broadcasts", data=form, allow_redirects=False)
    assert created.status == 303
    async with sessionmaker() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
    assert Content.from_json(broadcast.content).text == text
