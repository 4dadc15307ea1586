"""An outside QA pass over the panel's compose form over real HTTP: a time typed into the
datetime field that has already passed is refused at the preview, where the methodologist
looks, not only after «Запланировать» (the preview promised «отправка …» at a past time)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
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
