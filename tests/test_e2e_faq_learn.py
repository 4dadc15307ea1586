"""Staff teach the FAQ from the chat, and the next parent who asks the same is answered.

Each test builds its own FaqService: what staff add changes the live knowledge base, and the
session-wide one is shared by the other test modules.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.services.faq.kb import DEFAULT_DIRECTORY
from bot.services.faq.learning import attach_question, refresh
from bot.texts import faq_learn as t
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import FaqStaffEntry, FaqStaffSample
from storage.repositories import Repositories
from tests.conftest import (
    ADMIN,
    PARENT,
    STAFF_CHAT,
    Backend,
    BotHarness,
    start_bot,
    stop_bot,
)
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, SentMessage

SECOND = FakeUser(id=2005, first_name="Ольга", last_name="Петрова")
DOG = "можно ли привести на занятие собаку-поводыря"
SHOES = "нужна ли сменная обувь на занятиях"


async def ticket_post(h: BotHarness, question: str) -> SentMessage:
    """The parent hands `question` to a specialist («Спросить специалиста», then types it)."""
    await h.say(PARENT, texts.BTN_ASK)
    created = await h.say(PARENT, question)
    assert "Номер обращения" in created.text
    return await h.server.next_message(STAFF_CHAT, timeout=30)


async def staff_replies(h: BotHarness, prompt: SentMessage, text: str) -> SentMessage:
    """Staff answer a ForceReply prompt of the bot in the staff group."""
    h.server.user_sends(
        text, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=prompt
    )
    return await h.server.next_message(STAFF_CHAT, timeout=30)


async def staff_press(
    h: BotHarness,
    message: SentMessage,
    button: str,
    *,
    timeout: float = 30.0,  # noqa: ASYNC109 — a KB rebuild may hold the loop a few seconds
) -> SentMessage:
    h.server.press(message, button, user=ADMIN)
    return await h.server.next_message(STAFF_CHAT, timeout=timeout)


async def samples(h: BotHarness) -> list[tuple[str, str]]:
    async with h.sessionmaker() as session:
        rows = (await session.scalars(select(FaqStaffSample))).all()
    return [(r.entry_id, r.question) for r in rows]


async def test_staff_attach_a_ticket_question_by_id_and_the_next_parent_is_answered(
    learn: BotHarness, faq: FaqService, settings: Settings
) -> None:
    first = await learn.say(PARENT, DOG)
    assert texts.BTN_ASK_SHORT in first.inline_texts  # not answered yet
    learn.server.press(first, texts.BTN_ASK_SHORT, user=PARENT)
    post = await learn.server.next_message(STAFF_CHAT, timeout=30)
    assert t.BTN_TO_KB in post.inline_texts

    picker = await staff_press(learn, post, t.BTN_TO_KB)
    assert DOG in picker.text and t.BTN_NEW_ENTRY in picker.inline_texts
    prompt = await staff_press(learn, picker, t.BTN_OTHER_ENTRY)
    assert prompt.reply_markup and prompt.reply_markup.get("force_reply")
    done = await staff_replies(learn, prompt, "moc.contacts")
    assert "добавлен к статье «Контакты и часы работы МОЦ»" in done.text, done.text
    assert await samples(learn) == [("moc.contacts", DOG)]

    answer = await learn.say(SECOND, DOG)
    assert answer.raw_text == entry_view(faq, settings, "moc.contacts").text
    assert settings.moc_phone in answer.text


async def test_one_tap_on_a_candidate_from_the_ticket_post(
    learn: BotHarness, faq: FaqService, settings: Settings
) -> None:
    question = "где глянуть остаток на карте ребенка"  # the matcher does not answer this one
    post = await ticket_post(learn, question)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    first = picker.buttons[0][0]
    assert first.text.startswith("→ ") and first.callback_data is not None
    entry_id = first.callback_data.rsplit(":", 1)[1]
    learn.server.press(picker, first.text, user=ADMIN)
    await learn.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    edited = learn.server.messages[(STAFF_CHAT, picker.message_id)]
    assert "добавлен к статье" in edited.text and edited.inline_texts == [t.BTN_UNDO]

    answer = await learn.say(SECOND, question)
    assert answer.raw_text == entry_view(faq, settings, entry_id).text

    # a second tap on the same question adds nothing twice
    again = await staff_press(learn, post, t.BTN_TO_KB)
    learn.server.press(again, again.buttons[0][0].text, user=ADMIN)
    refused = await learn.server.next_message(STAFF_CHAT, timeout=30)
    assert "уже есть в статье" in refused.text
    assert len(await samples(learn)) == 1

    # a mis-tap is taken back: the next parent is not answered with that entry any more
    learn.server.press(edited, t.BTN_UNDO, user=ADMIN)
    await learn.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    assert "убран из базы" in learn.server.messages[(STAFF_CHAT, picker.message_id)].text
    assert await samples(learn) == []
    third = await learn.say(FakeUser(id=2006, first_name="Инна"), question)
    assert third.raw_text != entry_view(faq, settings, entry_id).text


async def test_faq_stats_lists_unanswered_and_staff_attach_by_search(
    learn: BotHarness, faq: FaqService, settings: Settings
) -> None:
    unknown = await learn.say(PARENT, SHOES)
    assert texts.BTN_ASK_SHORT in unknown.inline_texts
    stats = await learn.say(ADMIN, "/faq_stats")
    assert f"1. {SHOES}" in stats.text and "«➕ N»" in stats.text
    learn.server.press(stats, "➕ 1", user=ADMIN)
    picker = await learn.server.next_message(ADMIN.id, timeout=30)
    learn.server.press(picker, t.BTN_OTHER_ENTRY, user=ADMIN)
    prompt = await learn.server.next_message(ADMIN.id, timeout=30)
    found = await learn.say(ADMIN, "контакты", reply_to=prompt)
    assert "Нашлись статьи" in found.text
    learn.server.press(found, "→ Контакты и часы работы МОЦ", user=ADMIN)
    await learn.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    done = learn.server.messages[(ADMIN.id, found.message_id)]
    assert "добавлен к статье" in done.text

    answer = await learn.say(SECOND, SHOES)
    assert answer.raw_text == entry_view(faq, settings, "moc.contacts").text


async def test_staff_write_a_new_entry_from_a_ticket(
    learn: BotHarness, settings: Settings
) -> None:
    post = await ticket_post(learn, DOG)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    title_prompt = await staff_press(learn, picker, t.BTN_NEW_ENTRY)
    assert "Шаг 1 из 4" in title_prompt.text
    wordings = await staff_replies(learn, title_prompt, "Можно ли прийти с собакой-поводырём?")
    assert "Шаг 2 из 4" in wordings.text
    answer_prompt = await staff_replies(
        learn, wordings, "пускают ли с собакой поводырем\nсобака-поводырь на занятиях"
    )
    # a broken answer is refused by the checker at once, with the reason, and asked again:
    # the title and wordings typed so far are kept (tests/test_e2e_qa_kb.py)
    again = await staff_replies(learn, answer_prompt, "Да, можно. Позвоните: {moc_fax}")
    assert "неизвестный плейсхолдер {moc_fax}" in again.text, again.text
    async with learn.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqStaffEntry)) == 0

    category = await staff_replies(learn, again, "Да, можно. Предупредите педагога: {moc_phone}")
    # saving retrains the matcher in a thread (about 1.5 s alone, far more on a loaded CI box);
    # the last section, «Отмена» is under the sections
    created = await staff_press(learn, category, category.inline_texts[-2], timeout=30)
    assert "Новая статья «Можно ли прийти с собакой-поводырём?»" in created.text, created.text
    assert "(moc.staff1)" in created.text

    answer = await learn.say(SECOND, DOG)
    assert answer.text == f"Да, можно. Предупредите педагога: {settings.moc_phone}"


async def test_parents_cannot_teach_the_faq(learn: BotHarness) -> None:
    post = await ticket_post(learn, DOG)
    own = learn.server.sent_to(PARENT.id)[-1]
    for data in (
        "kb:a:t:1:moc.contacts",
        "kb:pick:t:1:",
        "kb:new:t:1:",
        "kb:cat:q:0:moc",
        "kb:undo:q:1:",
    ):
        learn.server.press_data(own, data, user=PARENT)
        answer = await learn.server.callback_answer()
        assert "только для сотрудников" in answer.params["text"]
    assert await samples(learn) == []
    assert learn.server.sent_to(STAFF_CHAT) == [post]


async def test_another_instance_picks_up_a_change_without_a_restart(
    server: FakeTelegramServer, db_path: Path, sessionmaker: SessionMaker
) -> None:
    """Instance A saves; instance B (its own FaqService, polling) answers from the new base
    on the next question."""
    from tests.conftest import make_settings

    settings = make_settings(db_path, faq_sync_seconds=0.5)
    faq_a = FaqService(None, settings.placeholders())
    faq_b = FaqService(None, settings.placeholders())
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_b)
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)
    try:
        assert texts.BTN_ASK_SHORT in (await h.say(PARENT, SHOES)).inline_texts
        async with sessionmaker() as session:
            await attach_question(
                faq_a, Repositories(session), settings.placeholders(), "moc.contacts", SHOES,
                ADMIN.id,
            )  # fmt: skip
        assert faq_b.version == 0 and faq_a.version == 1
        await asyncio.sleep(0.6)  # B reads the version at most every 0.5 s
        for _ in range(30):  # the question that notices it starts the rebuild in a thread
            answer = await h.say(SECOND, SHOES)
            if answer.raw_text == entry_view(faq_b, settings, "moc.contacts").text:
                break
            await asyncio.sleep(0.3)  # slower than the flood limit
        assert faq_b.version == 1
        assert answer.raw_text == entry_view(faq_b, settings, "moc.contacts").text
    finally:
        await stop_bot(dp, task)


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_new_entry_on_postgres_with_dialogs_in_redis(
    server: FakeTelegramServer, postgres_backend: Backend
) -> None:
    """The regional setup: the staff dialog's state in Redis, the additions in PostgreSQL."""
    settings = postgres_backend.settings()
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    faq = FaqService(None, settings.placeholders())
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq)
    try:
        h = BotHarness(server, settings, sessionmaker, dp, bot, task)
        await test_staff_write_a_new_entry_from_a_ticket(h, settings)
    finally:
        await stop_bot(dp, task)
        await engine.dispose()


async def test_reload_faq_on_one_instance_reloads_the_others(
    server: FakeTelegramServer, settings: Settings, sessionmaker: SessionMaker, tmp_path: Path
) -> None:
    data = tmp_path / "faq_data"
    shutil.copytree(DEFAULT_DIRECTORY, data)
    faq_a = FaqService(data, settings.placeholders())
    faq_b = FaqService(data, settings.placeholders())  # another instance, same files
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_a)
    try:
        h = BotHarness(server, settings, sessionmaker, dp, bot, task)
        title = faq_a.kb.entries["moc.contacts"].title
        moc = data / "moc.yaml"
        moc.write_text(
            moc.read_text(encoding="utf-8").replace(title, f"{title} (новое)", 1), "utf-8"
        )
        assert "перечитана" in (await h.say(ADMIN, "/reload_faq", within=30)).text
        assert faq_a.version == 1 and faq_b.version == 0
        async with sessionmaker() as session:
            assert await refresh(faq_b, Repositories(session), every=0, wait=True)
        assert faq_b.kb.entries["moc.contacts"].title == f"{title} (новое)"
    finally:
        await stop_bot(dp, task)
