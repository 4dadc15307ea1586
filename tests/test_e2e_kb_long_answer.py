"""A long answer, as a staffer who is not technical writes it: pasted into the bot over the
messenger's limit (the app sends it as two messages), and typed into the panel's editor."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.new_entry import SPLIT_SECONDS
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from tests.conftest import BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.max_bot import max_only_bot, say, ticket_from
from tests.test_e2e_faq_learn import DOG, staff_press, staff_replies, ticket_post
from tests.test_e2e_max_faq_new import ADMIN as MAX_ADMIN
from tests.test_e2e_max_faq_new import MOTHER, pressed
from tests.test_web_kb import CONTACTS, Client, form, sign_in

LONG = "Да, можно. " + "Предупредите педагога заранее и возьмите справку. " * 100  # 5011


async def test_the_tail_of_a_split_long_answer_is_not_taken_for_the_answer(
    learn: BotHarness,
) -> None:
    post = await ticket_post(learn, DOG)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    title = await staff_press(learn, picker, t.BTN_NEW_ENTRY)
    wordings = await staff_replies(learn, title, "Можно ли прийти с собакой-поводырём?")
    asked = await staff_replies(learn, wordings, "пускают ли с собакой поводырем")
    assert "Шаг 3 из 4" in asked.text
    head, tail = LONG[:4096], LONG[4096:]  # what a Telegram app sends for a 5,011-long paste
    refused = await staff_replies(learn, asked, head)
    assert "Слишком длинно (4096 символов, можно до 3500)" in refused.text, refused.text
    rest = await staff_replies(learn, asked, tail)
    assert rest.text == t.NEW_TOO_LONG_REST, rest.text  # not «Шаг 4 из 4» with the tail
    await asyncio.sleep(SPLIT_SECONDS + 0.5)  # the staffer reads it and shortens the text
    sections = await staff_replies(learn, rest, "Да, можно. Предупредите педагога заранее.")
    assert "Шаг 4 из 4" in sections.text
    created = await staff_press(learn, sections, sections.inline_texts[-2], timeout=60)
    assert "Новая статья" in created.text, created.text
    reply = await learn.say(FakeUser(id=2091, first_name="Инна"), DOG)
    assert reply.text == "Да, можно. Предупредите педагога заранее."


async def test_a_too_long_answer_in_the_panel_is_refused_next_to_the_answer(
    client: Client, settings: Settings, faq: FaqService
) -> None:
    csrf = await sign_in(client, settings)
    refused = await client.post(CONTACTS, data=form(csrf, faq, "moc.contacts", answer=LONG))
    page = await refused.text()
    assert refused.status == 422
    beside = re.search(r'id="err-answer"[^>]*>(.*?)</ul>', page, re.S)
    assert beside is not None and "при пределе Telegram в 4096 символов" in beside.group(1), page
    assert faq.kb.entries["moc.contacts"].answer != LONG.strip()


async def test_in_max_too_the_tail_of_a_split_answer_is_refused(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        card = await ticket_from(fake, MAX_ADMIN, MOTHER, DOG)
        picker = await pressed(fake, MAX_ADMIN, card, t.BTN_TO_KB)
        await pressed(fake, MAX_ADMIN, picker, t.BTN_NEW_ENTRY)
        await say(fake, MAX_ADMIN, "Можно ли прийти с собакой-поводырём?")
        (asked,) = await say(fake, MAX_ADMIN, "пускают ли с собакой поводырем")
        assert "Шаг 3 из 4" in asked.plain
        (refused,) = await say(fake, MAX_ADMIN, LONG[:4000])  # MAX's limit: the app splits
        assert "Слишком длинно" in refused.plain, refused.plain
        (rest,) = await say(fake, MAX_ADMIN, LONG[4000:])
        assert rest.plain == t.NEW_TOO_LONG_REST, rest.plain
        await asyncio.sleep(SPLIT_SECONDS + 0.5)
        (sections,) = await say(fake, MAX_ADMIN, "Да, можно. Предупредите педагога заранее.")
        assert "Шаг 4 из 4" in sections.plain
