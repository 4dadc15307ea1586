"""Keyboards of the events feature (teacher side, with the staff buttons on the card)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.core.markup import clip
from bot.texts import events as t
from handlers.tg.callbacks import (
    AdminEventCb,
    EventCb,
    EventListCb,
    ProfileCb,
)
from storage.models import Event, EventStatus, Registration, RegistrationStatus


def card(
    event: Event, registration: Registration | None, is_admin: bool, open_for_signup: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    status = registration.status if registration else RegistrationStatus.CANCELLED
    if status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING):
        builder.button(text=t.BTN_CANCEL_REG, callback_data=EventCb(action="cancel", id=event.id))
        if status == RegistrationStatus.REGISTERED:
            builder.button(text=t.BTN_ICS, callback_data=EventCb(action="ics", id=event.id))
    elif status == RegistrationStatus.ATTENDED:
        builder.button(text=t.BTN_PROOF, callback_data=EventCb(action="proof", id=event.id))
    elif open_for_signup:
        label = t.BTN_REGISTER if event.seats_left > 0 else t.BTN_WAITLIST
        builder.button(text=label, callback_data=EventCb(action="reg", id=event.id))
    if is_admin:
        for action, label in admin_card_buttons(event):
            builder.button(text=label, callback_data=AdminEventCb(action=action, id=event.id))
    builder.button(text=t.BTN_TO_LIST, callback_data=EventListCb())
    builder.adjust(1)
    return builder.as_markup()


def admin_card_buttons(event: Event) -> list[tuple[str, str]]:
    """Staff buttons under a card; their handlers re-check the role on the server."""
    buttons = [("people", "👥 Участники"), ("xlsx", "📥 Excel"), ("attend", "☑️ Присутствие")]
    if event.status != EventStatus.CANCELLED:
        buttons.append(("edit", "✏️ Изменить"))
    if event.status == EventStatus.PUBLISHED:
        buttons.append(("announce", "📣 Анонсировать"))
        buttons.append(("close", "🔒 Закрыть запись"))
    if event.status != EventStatus.CANCELLED:
        buttons.append(("cancel", "🚫 Отменить мероприятие"))
    return buttons


def cancel_confirm(event_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_CANCEL_YES, callback_data=EventCb(action="cancel_yes", id=event_id))
    builder.button(text=t.BTN_CANCEL_NO, callback_data=EventCb(action="card", id=event_id))
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
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t.BTN_SHARE_PHONE, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


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
