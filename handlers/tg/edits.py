"""Small wrappers for Telegram calls whose failure modes are expected, not exceptional."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

log = logging.getLogger(__name__)

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


async def edit_or_send(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the message the button sits on; send a new one when it is too old to edit, to
    the chat where the edit would have shown (a button pressed in the staff group answers
    there, for the colleagues who saw the message, not in the presser's private chat).

    A double tap makes Telegram answer "message is not modified": that is success.
    """
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
            log.info("edit failed, sending anew: %s", exc.message)
    if query.bot is not None:
        await send_to_chat(query, text, markup)


async def drop_keyboard(query: CallbackQuery) -> None:
    """Remove the buttons of a one-shot question (so a second tap has nothing to press)."""
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def send_to_chat(
    query: CallbackQuery, text: str, markup: ReplyMarkup | None = None
) -> Message:
    """Send a new message to the chat where the button was pressed."""
    assert query.bot is not None
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    return await query.bot.send_message(chat_id, text, reply_markup=markup)
