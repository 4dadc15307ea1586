"""152-ФЗ in Telegram: /my_data and /forget_me over `bot.services.profile.privacy`."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Switchboard
from bot.services.events.registration import notify_promoted
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.services.profile import privacy
from handlers.tg import keyboards
from handlers.tg.callbacks import ForgetCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.messenger import TelegramMessenger, people
from storage.models import User
from storage.repositories import Repositories


async def my_data(
    message: Message,
    repo: Repositories,
    user: User | None,
    clock: Clock,
    querylog: QueryLog,
    settings: Settings,
) -> None:
    if user is None:
        return
    await message.answer(
        await privacy.describe(repo, user, clock, querylog, settings),
        reply_markup=keyboards.my_data(),
    )


async def forget_me(message: Message) -> None:
    await message.answer(texts.FORGET_CONFIRM, reply_markup=keyboards.forget_confirm())


async def forget_cb(
    query: CallbackQuery,
    callback_data: ForgetCb,
    repo: Repositories,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
    settings: Settings,
    querylog: QueryLog,
    faq: FaqService,
    messenger: Switchboard | None = None,
) -> None:
    await query.answer()
    if callback_data.action == "ask":
        await send_to_chat(query, texts.FORGET_CONFIRM, keyboards.forget_confirm())
        return
    await drop_keyboard(query)
    if callback_data.action != "yes":
        await send_to_chat(query, texts.FORGET_KEPT)
        return
    done = await privacy.forget(repo, query.from_user.id, clock, querylog, faq)
    await state.clear()
    await send_to_chat(query, texts.FORGOTTEN, ReplyKeyboardRemove())
    await privacy.redact(TelegramMessenger(bot), done)
    for registration, event in done.promoted:
        await notify_promoted(people(bot, messenger), registration, event, settings)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(my_data, Command("my_data"))
    router.message.register(my_data, F.text == texts.BTN_MY_DATA)
    router.message.register(forget_me, Command("forget_me"))
    router.callback_query.register(forget_cb, ForgetCb.filter())
    return router
