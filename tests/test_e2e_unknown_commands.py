"""A command the bot does not have («/foo», «/старт», «/faq_draft» misspelt) is answered «Такой
команды нет» with the pointer to /help, in MAX and in Telegram — it
used to go to the FAQ matcher, which said «не нашёл ответа» and offered a specialist. Over
the fake MAX and Telegram servers (real HTTP)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import texts
from storage.models import FaqQuery
from tests.conftest import PARENT, BotHarness
from tests.helpers.max_both import MOTHER, TEACHER_MAX, Both, as_parent, seed_max_teacher

UNKNOWN = ("/foo", "/старт", "/Foo bar", "/faq_draft")


async def logged_questions(h: Both | BotHarness) -> int:
    async with h.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FaqQuery)) or 0)


async def test_an_unknown_command_in_max_points_to_help(both: Both) -> None:
    h = both
    await as_parent(h)
    for command in UNKNOWN:
        reply = await h.say(MOTHER, command)
        assert reply.plain == texts.UNKNOWN_COMMAND, (command, reply.plain)
        assert not reply.buttons()
    assert await logged_questions(h) == 0, "no command reached the FAQ matcher"
    help_ = await h.say(MOTHER, "/help")
    assert "/faq" in help_.plain


async def test_known_commands_with_words_after_them_still_work_in_max(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await h.start(TEACHER_MAX)
    listing = await h.say(TEACHER_MAX, "/events пожалуйста")
    assert "мероприят" in listing.plain.lower(), listing.plain
    mine = await h.say(TEACHER_MAX, "/MY_EVENTS")
    assert mine.plain != texts.UNKNOWN_COMMAND
    faq = await h.say(TEACHER_MAX, "/faq")
    assert faq.plain != texts.UNKNOWN_COMMAND and faq.buttons()


async def test_an_unknown_command_mid_dialog_in_max_keeps_the_dialog(both: Both) -> None:
    """After /ask the next text is the question: «/foo» is not taken for it."""
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    reply = await h.say(MOTHER, "/foo")
    assert reply.plain == texts.UNKNOWN_COMMAND
    cancelled = await h.say(MOTHER, "отмена")
    assert cancelled.plain == texts.CANCELLED  # the dialog was still open


async def test_an_unknown_command_in_telegram_points_to_help(harness: BotHarness) -> None:
    for command in UNKNOWN[:3]:  # /tickets is staff's there: «только для сотрудников»
        reply = await harness.say(PARENT, command)
        assert reply.text == texts.UNKNOWN_COMMAND, (command, reply.text)
    assert await logged_questions(harness) == 0
    menu = await harness.say(PARENT, "/help")
    assert menu.text != texts.UNKNOWN_COMMAND
