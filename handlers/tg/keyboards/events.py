"""Keyboards of the events feature (teacher side, with the staff buttons on the card)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.core.markup import clip
from bot.core.messages import Button, rows
from bot.services.events.listing import WHOLE_LIST, ListFilter, card_action
from bot.texts import events as t
from handlers.tg.callbacks import (
    EventCb,
    ProfileCb,
)
from handlers.tg.messenger import contact_keyboard


def cancel_confirm(
    event_id: int, yes: str = t.BTN_CANCEL_YES, back: ListFilter = WHOLE_LIST
) -> InlineKeyboardMarkup:
    """`back`: the list the card was opened from, kept for the card shown after either."""
    builder = InlineKeyboardBuilder()
    yes_action = card_action(back, "cancel_yes")
    builder.button(text=yes, callback_data=EventCb(action=yes_action, id=event_id))
    no = EventCb(action=card_action(back), id=event_id)
    builder.button(text=t.BTN_CANCEL_NO, callback_data=no)
    builder.adjust(2)
    return builder.as_markup()


def organisations(names: Sequence[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(names):
        builder.button(text=clip(name, 60), callback_data=ProfileCb(field="org", value=index))
    builder.button(text=t.BTN_ORG_OTHER, callback_data=ProfileCb(field="org", value=-1))
    builder.adjust(1)
    return builder.as_markup()


def positions() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(t.POSITIONS):
        builder.button(text=name, callback_data=ProfileCb(field="pos", value=index))
    builder.adjust(1)
    return builder.as_markup()


def share_phone() -> ReplyKeyboardMarkup:
    """The neutral contact request (the same button MAX's profile dialog sends)."""
    return contact_keyboard(rows(Button.contact(t.BTN_SHARE_PHONE)))


def yes_no(field: str, yes: str, no: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=yes, callback_data=ProfileCb(field=field, value=1))
    builder.button(text=no, callback_data=ProfileCb(field=field, value=0))
    builder.adjust(1)
    return builder.as_markup()


def profile() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_PROFILE_EDIT, callback_data=ProfileCb(field="edit"))
    return builder.as_markup()
