"""/start and the role choice: the role decides which answers come first and what menu shows."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.chats import registry
from bot.services.tickets.missed import deliver_missed
from handlers.tg import deep_links, keyboards
from handlers.tg.callbacks import RoleCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.event_card import send_card
from handlers.tg.messenger import TelegramMessenger
from storage.models import Role, User
from storage.repositories import Repositories


async def start(
    message: Message,
    state: FSMContext,
    user: User | None,
    settings: Settings,
    is_admin: bool,
    bot: Bot,
    repo: Repositories,
) -> None:
    await state.clear()
    await greet(message, user, settings, is_admin)
    if user is not None:  # back after blocking the bot: the answers staff sent meanwhile
        await deliver_missed(TelegramMessenger(bot), repo, user.id)


async def start_by_event_link(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    user: User | None,
    settings: Settings,
    is_admin: bool,
    repo: Repositories,
    clock: Clock,
) -> None:
    """The card alone: a welcome after it would bury it; registering sets the role."""
    await state.clear()
    if user is not None:
        event_id = deep_links.event_id(command)
        shown = await send_card(message, event_id, user.id, repo, settings, clock, is_admin)
        if shown or user.role is not None:
            return
    await greet(message, user, settings, is_admin)


async def greet(message: Message, user: User | None, settings: Settings, is_admin: bool) -> None:
    """The welcome with the role choice for a newcomer, the menu for everyone else."""
    name = user.first_name if user else ""
    if user is None or user.role is None:
        await message.answer(
            fill(texts.WELCOME, name=name, moc_name=settings.moc_name),
            reply_markup=keyboards.roles(include_staff=is_admin),
        )
        return
    await message.answer(texts.MENU, reply_markup=keyboards.main_menu(user.role, is_admin))


async def change_role(message: Message, is_admin: bool) -> None:
    await message.answer("Кто вы?", reply_markup=keyboards.roles(include_staff=is_admin))


async def choose_role(
    query: CallbackQuery,
    callback_data: RoleCb,
    repo: Repositories,
    user: User | None,
    is_admin: bool,
) -> None:
    valid = {r.value for r in Role}
    if callback_data.role not in valid or user is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if callback_data.role == Role.STAFF and not is_admin:
        await query.answer(texts.ROLE_STAFF_ONLY, show_alert=True)
        return
    was = user.role
    await repo.users.set_role(user.id, callback_data.role)
    await repo.commit()
    news = await registry.follow_role(repo, user.id, was, callback_data.role)
    await query.answer()
    await drop_keyboard(query)
    title = texts.ROLE_TITLES[callback_data.role]
    await send_to_chat(
        query,
        fill(texts.ROLE_SAVED, role=title) + news,
        keyboards.main_menu(callback_data.role, is_admin),
    )


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(start_by_event_link, deep_links.event_start())
    router.message.register(start, CommandStart())
    router.message.register(change_role, Command("role"))
    router.message.register(change_role, F.text == texts.BTN_ROLE)
    router.callback_query.register(choose_role, RoleCb.filter())
    return router
