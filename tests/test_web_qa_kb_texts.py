"""«База знаний»'s own words on an empty page, over real HTTP (the harness of test_web_kb.py)."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.config import Settings
from tests.test_web_kb import CONTACTS, sign_in

Client = TestClient[web.Request, web.Application]


def shown(html: str) -> str:
    main = html.split("<main>")[1].split("</main>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


async def test_the_empty_history_of_the_whole_base_speaks_of_articles(
    client: Client, settings: Settings
) -> None:
    """«История изменений» of the whole base, before any save, said «В панели статью ещё не
    меняли» — which article? — the sentence of one article's history."""
    await sign_in(client, settings)
    whole = shown(await (await client.get("/web/kb/history")).text())
    assert "В панели статьи ещё не меняли" in whole and "статью" not in whole, whole
    one = shown(await (await client.get(f"{CONTACTS}/history")).text())
    assert "В панели статью ещё не меняли." in one, one
