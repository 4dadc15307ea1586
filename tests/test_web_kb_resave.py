"""«База знаний» saved twice with the same form, as a methodist does it: «Сохранить» pressed
twice (two forms sent at once), or «Назад» after saving and «Сохранить» once more. Over real
HTTP with the real bot on the same knowledge base (the harness of test_web_kb.py)."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import PARENT, BotHarness
from tests.test_web_kb import CONTACTS, form, sign_in, versions

Client = TestClient[web.Request, web.Application]
DOG = "Можно ли прийти на занятие с собакой?"


def new_entry(csrf: str) -> dict[str, str]:
    return {
        "csrf": csrf, "entry_id": "", "base": "0", "seen": "0", "category": "moc",
        "title": DOG, "answer": "Нет: с животными в здание МОЦ нельзя.",
        "questions": "можно ли с собакой на занятие\nпускают ли с животными в моц\n"
        "можно прийти с кошкой на кружок",
        "links": "", "related": "", "action": "save",
    }  # fmt: skip


def errors_of(html: str) -> list[str]:
    lists = " ".join(re.findall(r'field-errors"[^>]*>(.*?)</ul>', html))
    return re.findall(r"<li>(.*?)</li>", lists)


async def test_a_new_entry_saved_twice_at_once_is_one_entry(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService
) -> None:
    """Double click on «Сохранить» of a new entry: two entries with the same questions were
    made (the bot then split the answer between them), or the second page said the questions
    «уже ведут» to the first and «примеров вопросов: 0» — the methodist thought nothing was
    saved. Now one entry, and both answers say it is created."""
    csrf = await sign_in(client, settings)
    pages = await asyncio.gather(*(client.post("/web/kb/new", data=new_entry(csrf)) for _ in "12"))
    for page in pages:
        html = await page.text()
        assert page.status == 200 and "Статья создана" in html, errors_of(html)
        assert str(page.url).endswith("/web/kb/entry/moc.web1?done=created")
    assert [e.id for e in faq.kb.entries.values() if e.title == DOG] == ["moc.web1"]
    answer = await learn.say(PARENT, "можно ли с собакой на занятие")
    assert answer.text.startswith("Нет: с животными в здание МОЦ нельзя.")


async def test_back_after_saving_and_save_again_says_saved_not_a_colleague(
    client: Client, settings: Settings, faq: FaqService, sessionmaker: SessionMaker
) -> None:
    """«Сохранить», «Назад», «Сохранить» (the browser restores the form with its old hidden
    version): «Пока вы правили, статью сохранил(а) Анна Методист… Ваш текст не сохранён» —
    about her own save, and she typed the change again. Now the page says it is saved; a
    colleague's save in between is still refused."""
    csrf = await sign_in(client, settings)
    opened = await (await client.get(CONTACTS)).text()
    base = re.search(r'name="base" value="(\d+)"', opened)
    assert base is not None
    data = form(csrf, faq, "moc.contacts", answer="Звоните с 9 до 18.", base=base.group(1))
    assert "Сохранено" in await (await client.post(CONTACTS, data=data)).text()
    again = await client.post(CONTACTS, data=data)
    html = await again.text()
    assert again.status == 200 and "Сохранено: бот уже отвечает" in html, errors_of(html)
    assert "Пока вы правили" not in html
    assert await versions(sessionmaker) == 1
    other = await client.post(CONTACTS, data={**data, "answer": "Звоните с 10 до 17."})
    assert other.status == 422 and "Пока вы правили" in await other.text()
    assert faq.kb.entries["moc.contacts"].answer == "Звоните с 9 до 18."
