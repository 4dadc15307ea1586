"""One way for a dialog step to answer, whether the step was a typed message or a pressed
button: the step code takes a `Reply` and does not care which of the two it came from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.tg.edits import send_to_chat

Reply = Callable[[str, InlineKeyboardMarkup | None], Awaitable[object]]


def reply_to(message: Message) -> Reply:
    async def reply(text: str, markup: InlineKeyboardMarkup | None) -> object:
        return await message.answer(text, reply_markup=markup)

    return reply


def reply_in(query: CallbackQuery) -> Reply:
    async def reply(text: str, markup: InlineKeyboardMarkup | None) -> object:
        return await send_to_chat(query, text, markup)

    return reply
