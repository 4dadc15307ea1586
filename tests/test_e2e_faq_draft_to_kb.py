"""«📝 В черновики FAQ» under an answered ticket, then /faq_drafts: the draft is not a dead end —
«➕ №N» under it starts «➕ В базу» for its question, and the entry made from it answers the
next parent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from storage.models import Ticket
from storage.repositories import Repositories
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness
from tests.helpers.max_bot import answered, max_only_bot, say, ticket_from
from tests.test_e2e_faq_learn import DOG, SECOND, staff_press, ticket_post
from tests.test_e2e_max_faq_new import ADMIN as MAX_ADMIN
from tests.test_e2e_max_faq_new import MOTHER, pressed, section_of

ANSWER = "Да, можно. Предупредите педагога заранее."


async def test_a_draft_from_a_ticket_becomes_an_entry_that_answers(
    learn: BotHarness, settings: Settings
) -> None:
    post = await ticket_post(learn, DOG)
    prompt = await staff_press(learn, post, "✍️ Ответить")
    learn.server.user_sends(
        ANSWER, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=prompt
    )
    await learn.server.next_message(STAFF_CHAT, timeout=30)  # «ответ отправлен»
    saved = await staff_press(learn, post, texts.BTN_DRAFT)
    assert "Черновик №1" in saved.text

    drafts = await learn.say(ADMIN, "/faq_drafts")
    assert DOG in drafts.text and ANSWER in drafts.text
    assert t.BTN_DRAFT_TO_KB.format(id=1) in drafts.inline_texts, drafts.inline_texts
    learn.server.press(drafts, t.BTN_DRAFT_TO_KB.format(id=1), user=ADMIN)
    picker = await learn.server.next_message(ADMIN.id, timeout=30)
    assert DOG in picker.text and t.BTN_NEW_ENTRY in picker.inline_texts

    learn.server.press(picker, t.BTN_NEW_ENTRY, user=ADMIN)
    title = await learn.server.next_message(ADMIN.id, timeout=30)
    assert "Шаг 1 из 4" in title.text
    learn.server.user_sends("Можно ли прийти с собакой-поводырём?", user=ADMIN, reply_to=title)
    wordings = await learn.server.next_message(ADMIN.id, timeout=30)
    learn.server.user_sends("пускают ли с собакой поводырем", user=ADMIN, reply_to=wordings)
    # the draft already has the answer: shown and taken, not asked for again
    category = await learn.server.next_message(ADMIN.id, timeout=30)
    assert "Ответ уже есть в черновике №1" in category.text and ANSWER in category.text
    assert category.inline_texts[0] == t.BTN_FIX["answer"], category.inline_texts
    learn.server.press(category, category.inline_texts[-2], user=ADMIN)
    created = await learn.server.next_message(ADMIN.id, timeout=60)
    assert "Новая статья «Можно ли прийти с собакой-поводырём?»" in created.text, created.text

    reply = await learn.say(SECOND, DOG)
    assert reply.text == ANSWER


async def test_in_max_a_draft_leads_to_the_knowledge_base_too(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        await ticket_from(fake, MAX_ADMIN, MOTHER, DOG)
        async with sessionmaker() as session:
            repo = Repositories(session)
            ticket = (await session.scalars(select(Ticket))).one()
            await repo.faq_log.add_draft(ticket.id, DOG, ANSWER, MAX_ADMIN.user_id)
            await repo.commit()
        (drafts,) = await say(fake, MAX_ADMIN, "/faq_drafts")
        labels = [b["text"] for row in drafts.buttons() for b in row]
        assert t.BTN_DRAFT_TO_KB.format(id=1) in labels, labels
        picker = await pressed(fake, MAX_ADMIN, drafts, t.BTN_DRAFT_TO_KB.format(id=1))
        assert DOG in picker.plain and t.BTN_NEW_ENTRY in [
            b["text"] for row in picker.buttons() for b in row
        ]
        # a parent forging the button gets nothing
        forged = fake.press_payload(MOTHER, drafts, f"kb:pick:t:{ticket.id}:")
        assert texts.ADMIN_ONLY in await answered(fake, forged)

        # «✏️ Новая статья»: the draft's answer is offered at step 3, and can be corrected
        await pressed(fake, MAX_ADMIN, picker, t.BTN_NEW_ENTRY)
        await say(fake, MAX_ADMIN, "Можно ли прийти с собакой-поводырём?")
        (offered,) = await say(fake, MAX_ADMIN, "пускают ли с собакой поводырем")
        assert "Ответ уже есть в черновике №1" in offered.plain and ANSWER in offered.plain
        fixing = await pressed(fake, MAX_ADMIN, offered, t.BTN_FIX["answer"])
        assert "исправленный текст ответа" in fixing.plain, fixing.plain
        (sections,) = await say(fake, MAX_ADMIN, f"{ANSWER} Возьмите справку <от врача>.")
        created = await pressed(fake, MAX_ADMIN, sections, section_of(sections))
        assert "Новая статья «Можно ли прийти с собакой-поводырём?»" in created.plain
        (reply,) = await say(fake, MOTHER, DOG)
        assert reply.plain == f"{ANSWER} Возьмите справку <от врача>."
