"""Audience buttons for the chat registry, as pure functions of what is already bound.

Two flavours: in the group itself (BindCb: the chat is where the button sits) and in an
admin's private chat (BindChatCb: the chat id travels in the payload, which is how a channel,
where nobody can type /bind as a person, gets its audience).
"""

from __future__ import annotations

from collections.abc import Collection

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.texts import chats as t
from handlers.tg.callbacks import BindCb, ChatId


class BindChatCb(CallbackData, prefix="bc"):
    """Toggle audience `a` of chat `chat` from an admin's private chat (checked on the server)."""

    chat: ChatId
    a: str


def _label(audience: str, bound: Collection[str]) -> str:
    title = t.AUDIENCE_TITLES[audience]
    return t.BTN_BOUND.format(title=title) if audience in bound else title


def bind_here(bound: Collection[str] = ()) -> InlineKeyboardMarkup:
    """Shown in the group after a bare /bind."""
    builder = InlineKeyboardBuilder()
    for audience in t.AUDIENCE_TITLES:
        builder.button(text=_label(audience, bound), callback_data=BindCb(a=audience))
    builder.adjust(2)
    return builder.as_markup()


def bind_chat(chat_id: int, bound: Collection[str] = ()) -> InlineKeyboardMarkup:
    """Sent to admins when the bot is added to a chat."""
    builder = InlineKeyboardBuilder()
    for audience in t.AUDIENCE_TITLES:
        builder.button(
            text=_label(audience, bound), callback_data=BindChatCb(chat=chat_id, a=audience)
        )
    builder.adjust(2)
    return builder.as_markup()


def open_private(username: str) -> InlineKeyboardMarkup:
    """Under the pointer a parents' group gets: the bot's private chat."""
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_OPEN_PRIVATE, url=f"https://t.me/{username}")
    return builder.as_markup()
