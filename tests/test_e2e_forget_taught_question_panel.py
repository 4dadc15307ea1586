"""152-ФЗ for the web panel's versions of an entry: a parent's question (its name cut) gets
into `faq_entry_versions` when staff attach it on «Вопросы без ответа», or when a colleague
saves an entry a chat attach had added it to. /forget_me takes it out of every version and
out of the history's note, and the next same question is not answered from it.

The real bot polls the fake Telegram server, the panel runs over real HTTP, both on one fresh
FaqService (what staff save changes the live knowledge base).
"""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from storage.models import FaqEntryVersion
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.test_e2e_forget_taught_question import (
    NAMED,
    NAMED_SAMPLE,
    SECOND,
    samples,
    staff_press,
    staff_replies,
)
from tests.test_web_kb import CONTACTS, form, sign_in

Client = TestClient[web.Request, web.Application]


async def versions(sm: SessionMaker) -> list[FaqEntryVersion]:
    async with sm() as session:
        return list((await session.scalars(select(FaqEntryVersion))).all())


async def forget(h: BotHarness) -> None:
    held = await h.say(PARENT, "/my_data")
    assert "добавили в базу ответов как образец: 1" in held.text, held.text
    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES)).text
    await h.server.idle()


async def assert_gone_from_versions(h: BotHarness, client: Client) -> None:
    rows = await versions(h.sessionmaker)
    assert rows and all(NAMED_SAMPLE not in row.questions and row.asked is None for row in rows)
    assert all("Ковалёв" not in row.summary for row in rows)
    assert "Ковалёв" not in await (await client.get(f"{CONTACTS}/history")).text()
    again = await h.say(SECOND, NAMED)
    assert texts.BTN_ASK_SHORT in again.inline_texts  # not understood again


async def test_a_question_attached_in_the_panel_leaves_every_version_on_forget_me(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService
) -> None:
    first = await learn.say(PARENT, NAMED)
    assert texts.BTN_ASK_SHORT in first.inline_texts
    await learn.dp.workflow_data["querylog"].flush()
    csrf = await sign_in(client, settings)
    listing = await (await client.get("/web/kb/unanswered")).text()
    found = re.search(r'action="/web/kb/unanswered/(\d+)/attach"', listing)
    assert found is not None
    done = await client.post(
        f"/web/kb/unanswered/{found.group(1)}/attach",
        data={"csrf": csrf, "entry_id": "moc.contacts"},
    )
    assert "Вопрос добавлен к статье" in await done.text()
    contacts = entry_view(faq, settings, "moc.contacts").text
    assert (await learn.say(SECOND, NAMED)).raw_text == contacts
    (row,) = await versions(learn.sessionmaker)
    assert row.asked == [[NAMED_SAMPLE, PARENT.id]]  # the name was cut before it was kept
    assert "Ковалёв" not in row.summary and NAMED_SAMPLE in row.summary

    await forget(learn)
    await assert_gone_from_versions(learn, client)


async def test_a_chat_sample_folded_into_a_panel_save_leaves_it_on_forget_me(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService
) -> None:
    h = learn
    await h.say(PARENT, texts.BTN_ASK)
    assert "Номер обращения" in (await h.say(PARENT, NAMED)).text
    post = await h.server.next_message(STAFF_CHAT, timeout=30)
    picker = await staff_press(h, post, t.BTN_TO_KB)
    prompt = await staff_press(h, picker, t.BTN_OTHER_ENTRY)
    assert "добавлен к статье" in (await staff_replies(h, prompt, "moc.contacts")).text

    csrf = await sign_in(client, settings)
    opened = await (await client.get(CONTACTS)).text()
    fields = {k: re.search(rf'name="{k}" value="(\d+)"', opened) for k in ("base", "seen")}
    edited = form(csrf, faq, "moc.contacts", answer="Новый ответ.")
    edited |= {k: m.group(1) for k, m in fields.items() if m}
    assert "Сохранено" in await (await client.post(CONTACTS, data=edited)).text()
    assert await samples(h.sessionmaker) == []  # folded into the version
    (row,) = await versions(h.sessionmaker)
    assert NAMED_SAMPLE in row.questions and row.asked == [[NAMED_SAMPLE, PARENT.id]]
    assert (await h.say(SECOND, NAMED)).text == "Новый ответ."

    await forget(h)
    await assert_gone_from_versions(h, client)
