"""The in-process Bot API of `python -m bot chat`: aiogram gets Telegram's answers, the console
sees what the user would (the conversation itself is tested in tests/test_console.py)."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)

from bot.app.console_session import ConsoleSession, visible_text

USER = User(id=700_000_001, is_bot=False, first_name="Гость")


def _bot() -> tuple[Bot, ConsoleSession]:
    session = ConsoleSession(USER)
    bot = Bot(
        "100000:CONSOLE", session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    return bot, session


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=t) for t in labels]]
    )


def test_html_is_shown_as_the_user_reads_it() -> None:
    assert visible_text("<b>Семинар</b> &lt;онлайн&gt; &amp; очно", "HTML") == (
        "Семинар <онлайн> & очно"
    )
    assert visible_text("<b>как есть</b>", None) == "<b>как есть</b>"


async def test_sent_and_edited_messages_come_back_as_telegram_objects() -> None:
    bot, session = _bot()
    sent = await bot.send_message(USER.id, "<b>Выберите</b>", reply_markup=_keyboard("Да", "Нет"))
    assert isinstance(sent, Message) and sent.text == "Выберите" and sent.from_user is not None
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    assert [b.callback_data for b in sent.reply_markup.inline_keyboard[0]] == ["Да", "Нет"]
    edited = await bot.edit_message_text("Готово", chat_id=USER.id, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.message_id == sent.message_id
    [shown] = session.sent_to(USER.id)
    assert (shown.text, shown.buttons) == ("Готово", [])  # no markup in the edit: buttons go
    await bot.delete_message(USER.id, sent.message_id)
    assert shown.deleted


async def test_a_pressed_button_arrives_as_a_callback_query_on_the_current_message() -> None:
    bot, session = _bot()
    sent = await bot.send_message(USER.id, "Вопрос?", reply_markup=_keyboard("Да"))
    [shown] = session.sent_to(USER.id)
    session.press(shown, shown.buttons[0][0])
    [update] = [Update.model_validate(u) for u in await bot.get_updates(timeout=0)]
    assert update.callback_query is not None and update.callback_query.data == "Да"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    await bot.answer_callback_query(update.callback_query.id, text="Записал")
    assert session.alerts == ["Записал"]


async def test_typed_commands_carry_their_entity_and_message_ids_are_shared() -> None:
    bot, session = _bot()
    await bot.send_message(USER.id, "Здравствуйте")  # message 1
    session.user_sends("/start")
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.message_id == 2
    assert update.message.entities is not None and update.message.entities[0].type == "bot_command"
    assert await bot.get_updates(timeout=0) == []


async def test_files_menus_and_unknown_methods() -> None:
    bot, session = _bot()
    menu = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="📅 Мероприятия")]])
    await bot.send_message(USER.id, "Меню", reply_markup=menu)
    doc = await bot.send_document(USER.id, BufferedInputFile(b"12345", "список.xlsx"))
    assert doc.document is not None and doc.document.file_name == "список.xlsx"
    await bot.send_document(USER.id, doc.document.file_id, caption="ещё раз")
    await bot.send_message(USER.id, "Меню убрано", reply_markup=ReplyKeyboardRemove())
    shown = session.sent_to(USER.id)
    assert [m.keyboard for m in shown] == [["📅 Мероприятия"], None, None, []]
    assert [(m.document.name, m.document.size) for m in shown[1:3] if m.document] == [
        ("список.xlsx", 5),
        ("список.xlsx", 5),
    ]
    assert shown[2].text == "ещё раз"
    with pytest.raises(TelegramBadRequest, match="does not answer"):
        await bot.get_user_profile_photos(USER.id)
