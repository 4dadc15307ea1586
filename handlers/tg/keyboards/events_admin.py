"""Keyboards of the staff side of events, and the callback data only these keyboards carry.

Pure functions of their inputs. Every payload here is staff-only: the handlers re-check the
role on the server before acting, because anyone can send any callback data.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.events.listing import staff_card_actions
from bot.texts import events_admin as t
from handlers.tg.callbacks import AdminEventCb, DbId, Page
from storage.models import Event


class FormCb(CallbackData, prefix="evn"):
    """A button answer in the event dialogs: `field` is the step, `value` what a typed
    answer would say (so buttons and typing go through the same check); publish, drop."""

    field: str
    value: str = ""


class EditCb(CallbackData, prefix="eve"):
    """Pick the field of event `id` to change."""

    id: DbId
    field: str


class AttendPageCb(CallbackData, prefix="atp"):
    """A page of the attendance list of `event`."""

    event: DbId
    page: Page = 0


def _one_column(builder: InlineKeyboardBuilder) -> InlineKeyboardMarkup:
    builder.adjust(1)
    return builder.as_markup()


def admin_card(event: Event, now: datetime) -> InlineKeyboardMarkup:
    """The staff buttons of the event card (the same set the teachers' card shows staff)."""
    builder = InlineKeyboardBuilder()
    for action, label in staff_card_actions(event, now):
        builder.button(text=label, callback_data=AdminEventCb(action=action, id=event.id))
    return _one_column(builder)


def flip_attendance(
    markup: InlineKeyboardMarkup | None, reg: int, attended: bool, again: str
) -> InlineKeyboardMarkup | None:
    """The same keyboard with the button of registration `reg` (an `ats` or an old `att`
    one) showing the new mark and carrying `again` (the payload that sets the other mark)."""
    if markup is None:
        return None
    rows = [[_flipped(b, reg, attended, again) for b in row] for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _flipped(
    button: InlineKeyboardButton, reg: int, attended: bool, again: str
) -> InlineKeyboardButton:
    prefix, _, rest = (button.callback_data or "").partition(":")
    if prefix not in ("att", "ats") or rest.partition(":")[0] != str(reg):
        return button
    name = button.text.split(" ", 1)[-1]
    template = t.BTN_ATTENDED if attended else t.BTN_NOT_ATTENDED
    return button.model_copy(update={"text": template.format(name=name), "callback_data": again})
