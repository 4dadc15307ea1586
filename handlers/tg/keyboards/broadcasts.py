"""Keyboards of the staff side of broadcasts, and the callback data only they carry.

Pure functions of their inputs. Every payload here is staff-only: the handlers check the
sender against ADMIN_IDS before acting, because anyone can send any callback data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.texts import broadcasts as t
from handlers.tg.callbacks import DbId

ALL = "all"


class ComposeCb(CallbackData, prefix="bcc"):
    """A button of the compose dialog: `step` is what it answers, `value` the choice."""

    step: str
    value: str = ""


class BroadcastCb(CallbackData, prefix="bca"):
    """An action on an existing broadcast: cancel, move (reschedule), acks."""

    action: str
    id: DbId


def _cancel_row(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=t.BTN_CANCEL, callback_data=ComposeCb(step="cancel"))


def cancel_only() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _cancel_row(builder)
    return builder.as_markup()


def audiences(selected: Collection[str], choices: Sequence[str]) -> InlineKeyboardMarkup:
    """Toggles: a tick marks a chosen audience; «Все» picks every audience in `choices`."""
    builder = InlineKeyboardBuilder()
    for audience in t.AUDIENCE_LABELS:
        mark = "✅ " if audience in selected else ""
        label = mark + t.AUDIENCE_LABELS[audience]
        builder.button(text=label, callback_data=ComposeCb(step="aud", value=audience))
    every = all(a in selected for a in choices)
    builder.button(
        text=("✅ " if every else "") + t.BTN_ALL, callback_data=ComposeCb(step="aud", value=ALL)
    )
    builder.button(text=t.BTN_NEXT, callback_data=ComposeCb(step="aud_done"))
    _cancel_row(builder)
    builder.adjust(2, 2, 1, 1, 1)
    return builder.as_markup()


def tags() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_NO_TAGS, callback_data=ComposeCb(step="tags"))
    builder.button(text=t.BTN_BACK_AUDIENCE, callback_data=ComposeCb(step="back_aud"))
    _cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


def button_choice() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_EVENT_BUTTON, callback_data=ComposeCb(step="btn", value="event"))
    builder.button(text=t.BTN_NO_BUTTON, callback_data=ComposeCb(step="btn"))
    _cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


def events(items: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """`items`: (event id, label) of upcoming events."""
    builder = InlineKeyboardBuilder()
    for event_id, label in items:
        builder.button(text=label, callback_data=ComposeCb(step="event", value=str(event_id)))
    builder.button(text=t.BTN_NO_BUTTON, callback_data=ComposeCb(step="btn"))
    _cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


def ack_choice() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_ACK_ON, callback_data=ComposeCb(step="ack", value="1"))
    builder.button(text=t.BTN_ACK_OFF, callback_data=ComposeCb(step="ack", value="0"))
    _cancel_row(builder)
    builder.adjust(2, 1)
    return builder.as_markup()


def when_choice() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_NOW, callback_data=ComposeCb(step="now"))
    _cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


def repeat_choice() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_REPEAT_NONE, callback_data=ComposeCb(step="repeat"))
    builder.button(
        text=t.BTN_REPEAT_WEEKLY, callback_data=ComposeCb(step="repeat", value="weekly")
    )
    _cancel_row(builder)
    builder.adjust(2, 1)
    return builder.as_markup()


def preview(now: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_TEST, callback_data=ComposeCb(step="test"))
    confirm = t.BTN_CONFIRM_NOW if now else t.BTN_CONFIRM_AT
    builder.button(text=confirm, callback_data=ComposeCb(step="confirm"))
    builder.button(text=t.BTN_CHANGE_WHEN, callback_data=ComposeCb(step="change_when"))
    _cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


def broadcast_actions(
    scheduled: Sequence[int], with_acks: Sequence[int]
) -> InlineKeyboardMarkup | None:
    """Under /broadcasts: cancel/move for scheduled ones, «Кто ознакомился» for ack ones."""
    builder = InlineKeyboardBuilder()
    sizes: list[int] = []
    for broadcast_id in scheduled:
        builder.button(
            text=t.BTN_CANCEL_ONE.format(id=broadcast_id),
            callback_data=BroadcastCb(action="cancel", id=broadcast_id),
        )
        builder.button(
            text=t.BTN_MOVE_ONE.format(id=broadcast_id),
            callback_data=BroadcastCb(action="move", id=broadcast_id),
        )
        sizes.append(2)
    for broadcast_id in with_acks:
        builder.button(
            text=t.BTN_ACKS_ONE.format(id=broadcast_id),
            callback_data=BroadcastCb(action="acks", id=broadcast_id),
        )
        sizes.append(1)
    if not sizes:
        return None
    builder.adjust(*sizes)
    return builder.as_markup()
