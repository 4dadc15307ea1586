"""/cancel, /help, /menu and the contacts button: available in every state (a menu button
mid-dialog ends the dialog first: handlers.tg.middlewares.MenuLeavesDialog)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill_region
from bot.core.words import means_cancel, means_menu
from bot.services.chats.pointers import PointerGate
from handlers.tg import keyboards
from handlers.tg.filters import Typed
from storage.models import User


async def cancel(message: Message, state: FSMContext, user: User | None, is_admin: bool) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(
        texts.CANCELLED if had_state else texts.NOTHING_TO_CANCEL,
        reply_markup=keyboards.main_menu(user.role if user else None, is_admin)
        if message.chat.type == "private"
        else None,
    )


async def help_(message: Message, is_admin: bool) -> None:
    await message.answer(texts.HELP + (texts.HELP_ADMIN if is_admin else ""))


async def menu(message: Message, state: FSMContext, user: User | None, is_admin: bool) -> None:
    """/menu or «меню»: the main menu, leaving any dialog (as in MAX)."""
    await state.clear()
    await message.answer(
        texts.MENU, reply_markup=keyboards.main_menu(user.role if user else None, is_admin)
    )


async def contacts(
    message: Message, settings: Settings, bot: Bot, clock: Clock, pointers: PointerGate
) -> None:
    """In a group once per few minutes: a group tapping /contacts in its menu gets one card
    for all to read, not one per tap (`pointers`)."""
    if message.chat.type != "private":
        chat = f"tg:{bot.id}:{message.chat.id}"
        if not await pointers.once(chat, clock.now(), "contacts"):
            return
    await message.answer(fill_region(texts.CONTACTS, **settings.placeholders()))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(cancel, Command("cancel"), StateFilter("*"))
    router.message.register(cancel, F.text.func(means_cancel), ~StateFilter(None))
    router.message.register(help_, Command("help"))
    router.message.register(help_, Typed("help"), StateFilter(None), F.chat.type == "private")
    router.message.register(menu, Command("menu"), F.chat.type == "private")
    router.message.register(menu, F.text.func(means_menu), F.chat.type == "private")
    router.message.register(contacts, Command("contacts"))
    router.message.register(contacts, F.text == texts.BTN_CONTACTS)
    return router
