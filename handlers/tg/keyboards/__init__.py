"""Keyboards as pure functions of their inputs; texts come from bot.texts."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder, ReplyKeyboardBuilder

from bot import texts
from bot.services.tickets import buttons as ticket_buttons
from handlers.tg.callbacks import AskCb, ForgetCb, RoleCb, TicketCb
from handlers.tg.messenger import render


def roles(include_staff: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for role, title in texts.ROLE_TITLES.items():
        if role != "staff" or include_staff:
            builder.button(text=title, callback_data=RoleCb(role=role))
    builder.adjust(1)
    return builder.as_markup()


def main_menu(role: str | None, is_admin: bool) -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    works_with_events = role in ("teacher", "director", "staff") or is_admin
    if works_with_events:
        builder.button(text=texts.BTN_EVENTS)
        builder.button(text=texts.BTN_MY_EVENTS)
    builder.button(text=texts.BTN_FAQ)
    builder.button(text=texts.BTN_ASK)
    builder.button(text=texts.BTN_CONTACTS)
    builder.button(text=texts.BTN_MY_DATA)
    builder.button(text=texts.BTN_SUBSCRIBE)
    if works_with_events:
        builder.button(text=texts.BTN_PROFILE)
    if is_admin:
        builder.button(text=texts.BTN_TICKETS)
        builder.button(text=texts.BTN_BROADCAST)
    builder.adjust(2)
    return builder.as_markup(resize_keyboard=True, input_field_placeholder="Напишите вопрос…")


def ask_only() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=texts.BTN_ASK_SHORT, callback_data=AskCb())
    return builder.as_markup()


def staff_ticket(ticket_id: int, closed: bool = False) -> InlineKeyboardMarkup:
    return render(ticket_buttons.staff_ticket(ticket_id, closed))


def user_ticket_open(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.BTN_WITHDRAW, callback_data=TicketCb(action="withdraw", id=ticket_id)
    )
    return builder.as_markup()


def user_ticket_answered(ticket_id: int) -> InlineKeyboardMarkup:
    return render(ticket_buttons.user_ticket_answered(ticket_id))


def forget_confirm() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=texts.BTN_FORGET_YES, callback_data=ForgetCb(action="yes"))
    builder.button(text=texts.BTN_FORGET_NO, callback_data=ForgetCb(action="no"))
    builder.adjust(2)
    return builder.as_markup()
