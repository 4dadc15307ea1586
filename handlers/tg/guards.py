"""The staff gate's pieces, shared by every staff router (events, broadcasts).

A staff router answers anyone who is not staff (the roster) with ADMIN_ONLY — commands and
callbacks, forged ones included — before its own routers (which carry IsAdmin as router
filters) are tried, so the role is decided on the server whatever a payload says. OneAtATime
serialises one staff member's updates on those routers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.types import User as TgUser

from bot import texts
from handlers.tg.keyboards import main_menu
from storage.models import User

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


async def deny_message(message: Message) -> None:
    await message.answer(texts.ADMIN_ONLY)


async def deny_staff_button(message: Message, user: User | None = None) -> None:
    """«📨 Обращения» or «📣 Рассылка» from someone who is not staff: a keyboard Telegram kept
    from when they were (removed since). The refusal brings the keyboard they have now."""
    role = user.role if user is not None else None
    await message.answer(texts.ADMIN_ONLY, reply_markup=main_menu(role, is_admin=False))


async def end_staff_dialog(message: Message, state: FSMContext, user: User | None = None) -> None:
    """A step of a staff dialog (an event, a broadcast) from someone removed from staff since
    it opened: the draft goes and they hear why — «Начнём сначала» read as a glitch."""
    await state.clear()
    await deny_staff_button(message, user)


async def deny_callback(query: CallbackQuery) -> None:
    await query.answer(texts.ADMIN_ONLY, show_alert=True)


class OneAtATime(BaseMiddleware):
    """One update per staff member at a time, so a double tap is seen as two taps in a row
    (the second finds the work done) rather than two at once, and two quick answers cannot
    overwrite each other's draft. (Keeping their arrival order needs the Dispatcher's
    events isolation.) Staff are few: the locks live as long as the router."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: TgUser | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        async with self._locks.setdefault(user.id, asyncio.Lock()):
            return await handler(event, data)
