"""Two МОЦ staffers on one entry at once: one attaches a parent's question in the bot
(«➕ В базу»), the other saves the entry in the panel's «База знаний». Neither loses work
silently: the question attached while the panel's save was being checked stays in the base
(the save used to delete every chat-added question of the entry, this one too, after the bot
had said «добавлен»), and the panel says when it kept a question added while it was open.
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.learning import refresh
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness, make_settings
from tests.helpers.panel import RecordingMessenger, client_for
from tests.helpers.wait import until
from tests.test_e2e_faq_learn import staff_press, ticket_post
from tests.test_web_kb import Client, form, sign_in

SHOES = "нужна ли сменная обувь на занятиях"


def hidden(page: str) -> dict[str, str]:
    """The editor's «base» and «seen»: what it was opened on."""
    found = {k: re.search(rf'name="{k}" value="(\d+)"', page) for k in ("base", "seen")}
    return {k: m.group(1) for k, m in found.items() if m}


async def test_a_question_attached_in_the_bot_while_the_panel_saves_is_kept(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService,
    sessionmaker: SessionMaker,
) -> None:  # fmt: skip
    post = await ticket_post(learn, SHOES)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    tap = picker.buttons[0][0]
    assert tap.callback_data is not None
    entry_id = tap.callback_data.rsplit(":", 1)[1]
    csrf = await sign_in(client, settings)
    editor = f"/web/kb/entry/{entry_id}"
    opened = hidden(await (await client.get(editor)).text())
    posted = form(csrf, faq, entry_id, answer="Новый ответ из панели.") | opened

    def told() -> str:
        return learn.server.messages[(STAFF_CHAT, picker.message_id)].text or ""

    async def colleague_taps() -> None:
        learn.server.press(picker, tap.text, user=ADMIN)
        await until(lambda: "добавлен к статье" in told(), within=90, what="«добавлен»")

    loop, real, calls = asyncio.get_running_loop(), faq.candidate, []

    def candidate(*args: Any, **kwargs: Any) -> Any:
        """The panel's save is being checked (in a thread): the colleague taps now."""
        calls.append(1)
        if len(calls) == 1:
            asyncio.run_coroutine_threadsafe(colleague_taps(), loop).result(timeout=120)
        return real(*args, **kwargs)

    faq.candidate = candidate  # type: ignore[method-assign]
    saved = await client.post(editor, data=posted)
    assert "Сохранено" in await saved.text() and len(calls) >= 2
    assert "добавлен к статье" in told()

    entry = faq.kb.entries[entry_id]
    assert entry.answer == "Новый ответ из панели." and SHOES in entry.questions, entry.questions
    assert SHOES in await (await client.get(editor)).text()  # the colleague's question shows


async def test_the_panel_says_it_kept_a_question_added_while_the_editor_was_open(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService
) -> None:
    csrf = await sign_in(client, settings)
    post = await ticket_post(learn, SHOES)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    tap = picker.buttons[0][0]
    assert tap.callback_data is not None
    entry_id = tap.callback_data.rsplit(":", 1)[1]
    editor = f"/web/kb/entry/{entry_id}"
    posted = form(csrf, faq, entry_id, answer="Ответ из панели.")
    posted |= hidden(await (await client.get(editor)).text())
    learn.server.press(picker, tap.text, user=ADMIN)  # a colleague, in the bot, meanwhile
    await learn.server.idle(timeout=60)
    page = await (await client.post(editor, data=posted)).text()
    assert "Пока вы правили, коллега добавил(а) к статье вопрос в боте" in page, page
    assert SHOES in faq.kb.entries[entry_id].questions


async def test_a_panel_in_its_own_process_shows_and_keeps_what_the_bot_was_taught(
    learn: BotHarness, db_path: Path, sessionmaker: SessionMaker, faq: FaqService
) -> None:
    """`python -m bot web`: the panel's own knowledge base follows the bot's version when a
    page opens — the editor shows the question a colleague attached in the bot, and saving
    it does not take that question back out."""
    settings = make_settings(db_path, faq_sync_seconds=0)
    panel = await client_for(settings, sessionmaker, RecordingMessenger(), SystemClock(), None)
    try:
        csrf = await sign_in(panel, settings)  # the panel builds its knowledge base
        post = await ticket_post(learn, SHOES)
        picker = await staff_press(learn, post, t.BTN_TO_KB)
        tap = picker.buttons[0][0]
        assert tap.callback_data is not None
        entry_id = tap.callback_data.rsplit(":", 1)[1]
        learn.server.press(picker, tap.text, user=ADMIN)
        await learn.server.idle(timeout=60)
        assert SHOES in faq.kb.entries[entry_id].questions  # the bot answers with it

        editor = f"/web/kb/entry/{entry_id}"
        page = await (await panel.get(editor)).text()
        shown = re.search(r'name="questions"[^>]*>([^<]*)</textarea>', page)
        assert shown is not None and SHOES in html.unescape(shown.group(1)), page
        posted = {
            "csrf": csrf, "entry_id": entry_id, "action": "save",
            "title": faq.kb.entries[entry_id].title, "answer": "Ответ из панели.",
            "questions": html.unescape(shown.group(1)), "links": "", "related": "",
        } | hidden(page)  # fmt: skip
        posted["links"] = "\n".join(
            f"{link.title} | {link.url}" for link in faq.kb.entries[entry_id].links
        )
        posted["related"] = ", ".join(faq.kb.entries[entry_id].related)
        assert "Сохранено" in await (await panel.post(editor, data=posted)).text()
    finally:
        await panel.close()
    async with sessionmaker() as session:
        await refresh(faq, Repositories(session), every=0, wait=True)
    entry = faq.kb.entries[entry_id]
    assert entry.answer == "Ответ из панели." and SHOES in entry.questions
