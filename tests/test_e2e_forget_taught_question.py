"""152-ФЗ for what staff teach the bot: a parent's question with a name and a phone in it
becomes a sample question of an entry (the next parent who asks so is answered from it), then
the parent sends /forget_me — the sample row goes, the database files hold their words no
more, and the next same question is not answered from that sample. Telegram (a ticket post,
«Другая статья…» by id) and MAX (/faq_stats «➕ 1», one tap on an entry).

Each test builds its own FaqService: what staff add changes the live knowledge base, and the
session-wide one is shared by the other test modules.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.texts import faq_learn as t
from handlers.max.render import render_text
from storage.db import SessionMaker
from storage.models import FaqStaffEntry, FaqStaffSample
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.max_bot import max_only_bot, say
from tests.test_e2e_consent import stored_bytes

SECOND = FakeUser(id=2005, first_name="Ольга", last_name="Петрова")
NAMED = "можно ли Маше Ковалёвой привести на занятие собаку-поводыря"
PHONED = "Ковалёва Маша, 8 922 111-22-33: нужна ли сменная обувь на занятиях"
WITHOUT_PHONE = "нужна ли сменная обувь на занятиях"  # the sample: no number, no name
NAMED_SAMPLE = "можно ли привести на занятие собаку-поводыря"  # «Маше Ковалёвой» cut out
SECRETS = ("Ковалёв", "922 111")
KEPT = "Ваших вопросов, которые сотрудники добавили в базу ответов как образец: {n}"

MAX_ADMIN = MaxUser(52_000_000_001, "Анна", "Методист")
MAX_MOTHER = MaxUser(52_000_000_223, "Мария", "Ковалёва")
MAX_SECOND = MaxUser(52_000_000_224, "Инна", "Сидорова")


async def samples(sm: SessionMaker) -> list[tuple[str, str]]:
    async with sm() as session:
        rows = (await session.scalars(select(FaqStaffSample))).all()
    return [(r.entry_id, r.question) for r in rows]


def assert_not_in_files(db_path: Path) -> None:
    stored = stored_bytes(db_path)
    for secret in SECRETS:
        assert secret.encode() not in stored, secret


async def staff_press(h: BotHarness, message: SentMessage, button: str) -> SentMessage:
    h.server.press(message, button, user=ADMIN)
    return await h.server.next_message(STAFF_CHAT, timeout=30)  # a KB rebuild may be slow


async def test_telegram_parent_forgets_and_the_question_staff_taught_goes_from_the_base(
    learn: BotHarness, faq: FaqService, settings: Settings, db_path: Path
) -> None:
    h = learn
    first = await h.say(PARENT, NAMED)
    assert texts.BTN_ASK_SHORT in first.inline_texts  # the bot does not know this one
    h.server.press(first, texts.BTN_ASK_SHORT, user=PARENT)
    assert "Номер обращения" in (await h.server.next_message(PARENT.id)).text
    post = await h.server.next_message(STAFF_CHAT, timeout=30)
    picker = await staff_press(h, post, t.BTN_TO_KB)
    prompt = await staff_press(h, picker, t.BTN_OTHER_ENTRY)
    h.server.user_sends(
        "moc.contacts", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=prompt
    )
    done = await h.server.next_message(STAFF_CHAT, timeout=30)
    assert "добавлен к статье" in done.text, done.text
    assert await samples(h.sessionmaker) == [("moc.contacts", NAMED_SAMPLE)]
    contacts = entry_view(faq, settings, "moc.contacts").text
    assert (await h.say(SECOND, NAMED)).raw_text == contacts  # taught: the next parent is answered

    held = await h.say(PARENT, "/my_data")
    assert KEPT.format(n=1) in held.text, held.text
    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES, within=30)).text
    await h.server.idle()

    assert await samples(h.sessionmaker) == []
    again = await h.say(SECOND, NAMED)
    assert again.raw_text != contacts and texts.BTN_ASK_SHORT in again.inline_texts

    # the second parent typed the same words: once they go too, no file holds them
    held = await h.say(SECOND, "/my_data")
    assert KEPT.format(n=0) in held.text
    confirm = await h.press(SECOND, held, texts.BTN_FORGET)
    await h.press(SECOND, confirm, texts.BTN_FORGET_YES, within=30)
    await h.server.idle()
    assert_not_in_files(db_path)


async def staff_replies(h: BotHarness, prompt: SentMessage, text: str) -> SentMessage:
    h.server.user_sends(
        text, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=prompt
    )
    return await h.server.next_message(STAFF_CHAT, timeout=30)


async def askers(sm: SessionMaker) -> dict[str, int | None]:
    async with sm() as session:
        rows = (await session.scalars(select(FaqStaffSample))).all()
    return {r.question: r.asked_by for r in rows}


async def test_telegram_a_new_entry_from_a_question_keeps_staff_wordings_and_loses_the_parents(
    learn: BotHarness,
) -> None:
    """«Новая статья» from a ticket: the parent's words are one sample among staff's own;
    /forget_me takes only theirs, the entry and staff's wordings stay."""
    h = learn
    await h.say(PARENT, texts.BTN_ASK)
    assert "Номер обращения" in (await h.say(PARENT, NAMED)).text
    post = await h.server.next_message(STAFF_CHAT, timeout=30)
    picker = await staff_press(h, post, t.BTN_TO_KB)
    prompt = await staff_press(h, picker, t.BTN_NEW_ENTRY)
    prompt = await staff_replies(h, prompt, "Можно ли прийти с собакой-поводырём?")
    prompt = await staff_replies(h, prompt, "пускают ли с собакой поводырем")
    category = await staff_replies(h, prompt, "Да, можно. Предупредите педагога: {moc_phone}")
    created = await staff_press(h, category, category.inline_texts[-2])
    assert "Новая статья" in created.text, created.text
    staff_wordings = {
        "Можно ли прийти с собакой-поводырём?": None,
        "пускают ли с собакой поводырем": None,
    }
    assert await askers(h.sessionmaker) == {NAMED_SAMPLE: PARENT.id, **staff_wordings}

    held = await h.say(PARENT, "/my_data")
    assert KEPT.format(n=1) in held.text
    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES, within=30)).text
    await h.server.idle()
    assert await askers(h.sessionmaker) == staff_wordings


async def test_telegram_a_new_entry_dialog_keeps_no_words_of_a_parent_who_forgets_meanwhile(
    learn: BotHarness, db_path: Path
) -> None:
    """Staff start «Новая статья» from a question and the parent sends /forget_me before they
    finish: the unfinished dialog held where the question was, not its words, so no file
    keeps them, and the entry is not made of a question that is gone."""
    h = learn
    await h.say(PARENT, texts.BTN_ASK)
    assert "Номер обращения" in (await h.say(PARENT, NAMED)).text
    post = await h.server.next_message(STAFF_CHAT, timeout=30)
    picker = await staff_press(h, post, t.BTN_TO_KB)
    prompt = await staff_press(h, picker, t.BTN_NEW_ENTRY)

    held = await h.say(PARENT, "/my_data")
    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES, within=30)).text
    await h.server.idle()
    assert_not_in_files(db_path)

    prompt = await staff_replies(h, prompt, "Можно ли прийти с собакой-поводырём?")
    prompt = await staff_replies(h, prompt, "пускают ли с собакой поводырем")
    category = await staff_replies(h, prompt, "Да, можно.")
    gone = await staff_press(h, category, category.inline_texts[-2])
    assert gone.text == t.SOURCE_GONE
    async with h.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqStaffEntry)) == 0
    assert await samples(h.sessionmaker) == []


async def press(fake: FakeMaxServer, user: MaxUser, message: Message, label: str) -> Message:
    before = len(fake.sent_to(user))
    fake.press(user, message, label)
    return (await fake.wait_sent(user, before + 1, within=30))[-1]


async def edited_to(message: Message, probe: str) -> None:
    """The bot edits `message` in place (the fake updates the same object)."""
    for _ in range(600):  # a KB rebuild (CPU) may hold the loop a few seconds
        if probe in message.plain:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{probe!r} not in {message.plain!r}")


async def test_max_parent_forgets_and_the_question_staff_taught_goes_from_the_base(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        fake.bot_started(MAX_ADMIN)
        await fake.wait_sent(MAX_ADMIN, 1)
        fake.bot_started(MAX_MOTHER)
        welcome = (await fake.wait_sent(MAX_MOTHER, 1))[0]
        await press(fake, MAX_MOTHER, welcome, texts.ROLE_TITLES["parent"])
        (unknown,) = await say(fake, MAX_MOTHER, PHONED)
        assert texts.BTN_ASK_SHORT in str(unknown.buttons())

        (stats,) = await say(fake, MAX_ADMIN, "/faq_stats")
        picker = await press(fake, MAX_ADMIN, stats, "➕ 1")
        assert PHONED in picker.plain
        first = picker.buttons()[0][0]
        entry_id = first["payload"].rsplit(":", 1)[1]
        fake.press(MAX_ADMIN, picker, first["text"])
        await edited_to(picker, "добавлен к статье")
        # the phone stays out of the base (bot/services/faq/private.py)
        assert await samples(sessionmaker) == [(entry_id, WITHOUT_PHONE)]
        taught = render_text(entry_view(faq, settings, entry_id).text)[0]
        assert (await say(fake, MAX_SECOND, PHONED))[0].text == taught

        (held,) = await say(fake, MAX_MOTHER, "/my_data")
        assert KEPT.format(n=1) in held.plain, held.plain
        confirm = await press(fake, MAX_MOTHER, held, texts.BTN_FORGET)
        assert "удалены" in (await press(fake, MAX_MOTHER, confirm, texts.BTN_FORGET_YES)).plain

        assert await samples(sessionmaker) == []
        (again,) = await say(fake, MAX_SECOND, PHONED)
        assert again.text != taught and texts.BTN_ASK_SHORT in str(again.buttons())

        # the second parent typed the same words: once they go too, no file holds them
        (held,) = await say(fake, MAX_SECOND, "/my_data")
        assert KEPT.format(n=0) in held.plain
        confirm = await press(fake, MAX_SECOND, held, texts.BTN_FORGET)
        assert "удалены" in (await press(fake, MAX_SECOND, confirm, texts.BTN_FORGET_YES)).plain
        assert_not_in_files(db_path)
