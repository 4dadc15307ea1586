"""QA of staff keeping the knowledge base, as МОЦ staff and parents meet it: in Telegram, in
MAX and in the web panel, over the fake servers and the real bot.

- /faq_stats is the staff's to-do list of questions the bot did not understand: once staff
  attached one to an entry it kept standing there unmarked (the panel's «Вопросы без ответа»
  says «теперь бот отвечает»), so staff attached it again and got a ⚠️.
- «↩️ Отменить» under «добавлен к статье», after a colleague saved the same entry in the web
  panel (which folds the chat's questions into its version), said «Этот вопрос уже убран из
  базы» — while the next parent still got that answer.

Each test builds its own FaqService: what staff add changes the live knowledge base.
"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.texts import faq_learn as t
from handlers.max.render import render_text
from storage.db import SessionMaker
from storage.models import FaqStaffEntry
from tests.conftest import (
    ADMIN,
    PARENT,
    STAFF_CHAT,
    BotHarness,
    make_settings,
    start_bot,
    stop_bot,
)
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.max_bot import answered, max_only_bot, say, ticket_from
from tests.helpers.wait import until
from tests.test_e2e_faq_learn import DOG, staff_press, staff_replies, ticket_post
from tests.test_web_kb import CONTACTS, form, sign_in

Client = TestClient[web.Request, web.Application]
SECOND = FakeUser(id=2005, first_name="Ольга", last_name="Петрова")
THIRD = FakeUser(id=2006, first_name="Инна")
SHOES = "нужна ли сменная обувь на занятиях"
# a parent's question that looks like markup: shown as typed, never as formatting
CASH = "<b>можно</b> ли оплатить кружок & секцию наличными?"

MAX_ADMIN = MaxUser(53_000_000_001, "Анна", "Методист")
MAX_MOTHER = MaxUser(53_000_000_123, "Ольга", "Петрова")
MAX_SECOND = MaxUser(53_000_000_124, "Инна", "Сидорова")


async def test_faq_stats_marks_a_question_staff_taught_and_the_next_parent_is_answered(
    learn: BotHarness, faq: FaqService, settings: Settings
) -> None:
    unknown = await learn.say(PARENT, CASH)
    assert texts.BTN_ASK_SHORT in unknown.inline_texts  # not answered
    stats = await learn.say(ADMIN, "/faq_stats")
    assert f"1. {CASH}" in stats.text and "теперь бот отвечает" not in stats.text
    learn.server.press(stats, "➕ 1", user=ADMIN)
    picker = await learn.server.next_message(ADMIN.id, timeout=30)
    assert f"«{CASH}»" in picker.text  # the markup-looking question is shown as typed
    first = picker.buttons[0][0]
    assert first.callback_data is not None
    entry_id = first.callback_data.rsplit(":", 1)[1]
    title = faq.kb.entries[entry_id].title
    learn.server.press(picker, first.text, user=ADMIN)
    await learn.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    assert "добавлен к статье" in learn.server.messages[(ADMIN.id, picker.message_id)].text

    again = await learn.say(ADMIN, "/faq_stats")
    assert f"1. {CASH} — ✅ теперь бот отвечает: {title}" in again.text, again.text

    # the next parent, typing it a little differently, gets the entry's answer
    answer = await learn.say(SECOND, "<B>Можно</B> ли оплатить кружок & секцию наличными")
    assert answer.raw_text == entry_view(faq, settings, entry_id).text


async def test_max_faq_stats_marks_a_question_staff_taught(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        fake.bot_started(MAX_ADMIN)
        await fake.wait_sent(MAX_ADMIN, 1)
        fake.bot_started(MAX_MOTHER)
        welcome = (await fake.wait_sent(MAX_MOTHER, 1))[0]
        fake.press(MAX_MOTHER, welcome, texts.ROLE_TITLES["parent"])
        await fake.wait_sent(MAX_MOTHER, 2)
        (unknown,) = await say(fake, MAX_MOTHER, SHOES)
        assert texts.BTN_ASK_SHORT in str(unknown.buttons())

        (stats,) = await say(fake, MAX_ADMIN, "/faq_stats")
        assert f"1. {SHOES}" in stats.plain and "теперь бот отвечает" not in stats.plain
        before = len(fake.sent_to(MAX_ADMIN))
        fake.press(MAX_ADMIN, stats, "➕ 1")
        picker = (await fake.wait_sent(MAX_ADMIN, before + 1))[-1]
        first = picker.buttons()[0][0]
        entry_id = first["payload"].rsplit(":", 1)[1]
        fake.press(MAX_ADMIN, picker, first["text"])
        await until(lambda: "добавлен к статье" in picker.plain, what="the picker edited")

        (again,) = await say(fake, MAX_ADMIN, "/faq_stats")
        title = faq.kb.entries[entry_id].title
        assert f"1. {SHOES} — ✅ теперь бот отвечает: {title}" in again.plain, again.plain
        (answer,) = await say(fake, MAX_SECOND, "Нужна ли сменная обувь на занятиях?")
        assert answer.text == render_text(entry_view(faq, settings, entry_id).text)[0]


async def test_undo_after_the_entry_was_saved_in_the_panel_does_not_claim_it_is_gone(
    learn: BotHarness, client: Client, faq: FaqService, settings: Settings
) -> None:
    post = await ticket_post(learn, SHOES)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    prompt = await staff_press(learn, picker, t.BTN_OTHER_ENTRY)
    learn.server.user_sends(
        "moc.contacts", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=prompt
    )
    done = await learn.server.next_message(STAFF_CHAT, timeout=30)
    assert "добавлен к статье" in done.text and done.inline_texts == [t.BTN_UNDO]

    # a colleague fixes the entry's answer in the panel: the question goes into its version
    csrf = await sign_in(client, settings)
    saved = await client.post(CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Звоните."))
    assert "Сохранено" in await saved.text()

    learn.server.press(done, t.BTN_UNDO, user=ADMIN)
    alert = await learn.server.wait_for(
        "answerCallbackQuery", lambda call: "text" in call.params, timeout=30
    )
    assert alert.params["text"] == t.UNDO_IN_PANEL, alert.params
    assert len(alert.params["text"]) <= 200  # Telegram's limit for an alert
    # what the alert says is true: the question still leads to the entry until the panel
    assert (await learn.say(SECOND, SHOES)).text == "Звоните."


async def test_max_undo_after_the_entry_was_saved_in_the_panel_does_not_claim_it_is_gone(
    db_path: Path, sessionmaker: SessionMaker, client: Client, faq: FaqService, settings: Settings
) -> None:
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        card = await ticket_from(fake, MAX_ADMIN, MAX_MOTHER, SHOES)
        before = len(fake.sent_to(MAX_ADMIN))
        fake.press(MAX_ADMIN, card, t.BTN_TO_KB)
        picker = (await fake.wait_sent(MAX_ADMIN, before + 1))[-1]
        first = picker.buttons()[0][0]
        entry_id = first["payload"].rsplit(":", 1)[1]
        fake.press(MAX_ADMIN, picker, first["text"])
        await until(lambda: "добавлен к статье" in picker.plain, what="the picker edited")

        csrf = await sign_in(client, settings)
        saved = await client.post(
            f"/web/kb/entry/{entry_id}", data=form(csrf, faq, entry_id, answer="Звоните.")
        )
        assert "Сохранено" in await saved.text()

        alert = await answered(fake, fake.press(MAX_ADMIN, picker, t.BTN_UNDO))
        assert alert == t.UNDO_IN_PANEL, alert
        (answer,) = await say(fake, MAX_SECOND, SHOES)
        assert answer.plain == "Звоните."


COMPLAINT = "куда жаловаться на педагога"  # an off-topic template catches it


async def test_staff_are_not_promised_an_answer_the_bot_still_will_not_give(
    learn: BotHarness, faq: FaqService
) -> None:
    """One more sample question weighs in, it does not decide alone: a question the off-topic
    template catches still gets the off-topic reply after staff attach it to an entry — and
    staff were told «следующий, кто так спросит, получит этот ответ»."""
    first = await learn.say(PARENT, COMPLAINT)
    assert texts.BTN_ASK_SHORT in first.inline_texts  # listed under /faq_stats
    stats = await learn.say(ADMIN, "/faq_stats")
    assert f"1. {COMPLAINT}" in stats.text
    learn.server.press(stats, "➕ 1", user=ADMIN)
    picker = await learn.server.next_message(ADMIN.id, timeout=30)
    learn.server.press(picker, picker.buttons[0][0].text, user=ADMIN)
    await learn.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    done = learn.server.messages[(ADMIN.id, picker.message_id)].text
    assert "добавлен к статье" in done and "получит этот ответ" not in done, done
    assert "⚠️ Но на этот вопрос бот пока ответит, что это вопрос не по теме МОЦ" in done
    # which is what the next parent gets
    again = await learn.say(SECOND, COMPLAINT)
    assert again.text == first.text


async def test_the_panel_does_not_promise_an_answer_the_bot_still_will_not_give(
    learn: BotHarness, client: Client, settings: Settings
) -> None:
    first = await learn.say(PARENT, COMPLAINT)
    await learn.dp.workflow_data["querylog"].flush()
    csrf = await sign_in(client, settings)
    listing = await (await client.get("/web/kb/unanswered")).text()
    found = re.search(r'action="/web/kb/unanswered/(\d+)/attach"', listing)
    assert found is not None and COMPLAINT in listing
    done = await client.post(
        f"/web/kb/unanswered/{found.group(1)}/attach",
        data={"csrf": csrf, "entry_id": "teacher.events"},
    )
    page = await done.text()
    assert "Вопрос добавлен к статье" in page
    assert "получит её ответ" not in page and "бот пока отвечает на него иначе" in page
    assert (await learn.say(SECOND, COMPLAINT)).text == first.text


async def test_an_answer_that_is_empty_where_the_phone_is_unset_is_refused(
    server: FakeTelegramServer, db_path: Path, sessionmaker: SessionMaker
) -> None:
    """A region that has not set MOC_PHONE yet: a line with {moc_phone} drops out — here the
    whole answer. It was saved, and the next parent got «Извините, что-то пошло не так» (an
    empty message Telegram refuses); now staff are told why and nothing is saved."""
    settings = make_settings(db_path, moc_phone=None)
    faq = FaqService(None, settings.placeholders())
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq)
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)
    try:
        post = await ticket_post(h, DOG)
        picker = await staff_press(h, post, t.BTN_TO_KB)
        prompt = await staff_press(h, picker, t.BTN_NEW_ENTRY)
        prompt = await staff_replies(h, prompt, "Можно ли прийти с собакой-поводырём?")
        prompt = await staff_replies(h, prompt, "пускают ли с собакой поводырем")
        refused = await staff_replies(h, prompt, "Да, можно. Позвоните: {moc_phone}")
        assert "после подстановки ответ пуст" in refused.text, refused.text
        assert "[[if moc_phone]]" in refused.text  # how to write it instead
        async with sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(FaqStaffEntry)) == 0
        # the next parent is offered a specialist, not left without a word
        answer = await h.say(SECOND, DOG, within=15)
        assert texts.BTN_ASK_SHORT in answer.inline_texts and "пошло не так" not in answer.text
    finally:
        await stop_bot(dp, task)


async def test_a_broken_answer_in_the_new_entry_dialog_is_asked_again_not_lost(
    learn: BotHarness, settings: Settings
) -> None:
    """Step 3 of «✏️ Новая статья» with a typo in a placeholder: the whole entry used to be
    refused only after the category (step 4), and the title and wordings were gone — staff
    started over from «➕ В базу». Now the answer is checked when it comes, and asked again."""
    post = await ticket_post(learn, DOG)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    prompt = await staff_press(learn, picker, t.BTN_NEW_ENTRY)
    prompt = await staff_replies(learn, prompt, "Можно ли прийти с собакой-поводырём?")
    prompt = await staff_replies(
        learn, prompt, "пускают ли с собакой поводырем\nс поводырём можно"
    )
    again = await staff_replies(learn, prompt, "Да, можно. <b>Позвоните: {moc_phne}</b>")
    assert "неизвестный плейсхолдер {moc_phne}" in again.text, again.text
    assert "Пришлите исправленный текст" in again.text and "Шаг 4" not in again.text
    assert again.reply_markup and again.reply_markup.get("force_reply")
    category = await staff_replies(learn, again, "Да, можно. Позвоните: {moc_phone}")
    assert "Шаг 4 из 4" in category.text
    created = await staff_press(learn, category, category.inline_texts[-2], timeout=30)
    assert "Новая статья «Можно ли прийти с собакой-поводырём?»" in created.text, created.text
    answer = await learn.say(SECOND, DOG)
    assert answer.text == f"Да, можно. Позвоните: {settings.moc_phone}"


async def test_a_new_entry_refused_at_save_keeps_what_staff_wrote(
    learn: BotHarness, settings: Settings
) -> None:
    """«✏️ Новая статья» refused only when saved (here a wording another entry already has):
    the title, wordings and answer used to be dropped with the refusal, and staff typed the
    whole entry again. Now they correct the wordings alone and save it."""
    post = await ticket_post(learn, DOG)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    prompt = await staff_press(learn, picker, t.BTN_NEW_ENTRY)
    prompt = await staff_replies(learn, prompt, "Можно ли прийти с собакой-поводырём?")
    prompt = await staff_replies(
        learn, prompt, "пускают ли с собакой поводырем\nкуда позвонить по сертификату"
    )
    category = await staff_replies(learn, prompt, "Да, можно. Предупредите педагога заранее.")
    refused = await staff_press(learn, category, category.inline_texts[-2], timeout=30)
    assert "«куда позвонить по сертификату» уже ведёт к «moc.contacts»" in refused.text
    assert "остальное вводить заново не нужно" in refused.text, refused.text
    async with learn.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqStaffEntry)) == 0

    prompt = await staff_press(learn, refused, t.BTN_FIX["wordings"])
    assert "куда позвонить по сертификату" in prompt.text  # what they wrote, to copy from
    category = await staff_replies(learn, prompt, "пускают ли с собакой поводырем")
    assert "В какой раздел" in category.text and "Шаг 3" not in category.text
    created = await staff_press(learn, category, category.inline_texts[-2], timeout=30)
    assert "Новая статья «Можно ли прийти с собакой-поводырём?»" in created.text, created.text
    answer = await learn.say(SECOND, "пускают ли с собакой поводырем")
    assert answer.text == "Да, можно. Предупредите педагога заранее."
