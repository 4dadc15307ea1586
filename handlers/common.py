"""/cancel, /help, /menu and the contacts button: available in every state."""

from __future__ import annotations

from typing import Final

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot import keyboards, texts
from bot.config import Settings
from bot.render import fill
from storage.models import User

router: Final = Router(name=__name__)


@router.message(Command("cancel"), StateFilter("*"))
async def cancel(message: Message, state: FSMContext, user: User | None, is_admin: bool) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(
        texts.CANCELLED if had_state else texts.NOTHING_TO_CANCEL,
        reply_markup=keyboards.main_menu(user.role if user else None, is_admin)
        if message.chat.type == "private"
        else None,
    )


@router.message(F.text.in_(texts.MENU_BUTTONS), ~StateFilter(None))
async def menu_button_leaves_dialog(message: Message, state: FSMContext) -> None:
    """A menu button pressed mid-dialog ends the dialog, then does what it says."""
    await state.clear()
    raise SkipHandler


@router.message(Command("help"))
async def help_(message: Message, is_admin: bool) -> None:
    await message.answer(texts.HELP + (texts.HELP_ADMIN if is_admin else ""))


@router.message(Command("menu"), F.chat.type == "private")
async def menu(message: Message, user: User | None, is_admin: bool) -> None:
    await message.answer(
        texts.MENU, reply_markup=keyboards.main_menu(user.role if user else None, is_admin)
    )


@router.message(Command("contacts"))
@router.message(F.text == texts.BTN_CONTACTS)
async def contacts(message: Message, settings: Settings) -> None:
    await message.answer(fill(texts.CONTACTS, **settings.placeholders()))
