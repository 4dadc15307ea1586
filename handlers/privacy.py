"""152-ФЗ in Telegram: /my_data and /forget_me over `bot.services.profile.privacy`, and
/withdraw_consent («Отозвать согласие») over `bot.services.profile.withdrawal`."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Switchboard
from bot.services.events.registration import notify_promoted
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.services.profile import privacy, withdrawal
from bot.texts import consent as t
from handlers.tg import keyboards, shots
from handlers.tg.callbacks import ConsentCb, ForgetCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.filters import Typed
from handlers.tg.messenger import people, render
from handlers.tg.profile_entry import ProfileForm
from storage.models import User
from storage.repositories import Repositories


async def my_data(
    message: Message,
    repo: Repositories,
    user: User | None,
    state: FSMContext,
    clock: Clock,
    querylog: QueryLog,
    settings: Settings,
) -> None:
    if user is None:
        return
    in_form = await state.get_state() in ProfileForm.__all_states_names__
    data = await state.get_data()
    draft = data if in_form else None  # a name typed, not yet saved
    files = shots.kept_count(data)  # pictures kept for «Отправить специалисту»
    text, buttons = await privacy.describe(
        repo, user, clock, querylog, settings, draft=draft, files=files
    )
    await message.answer(text, reply_markup=render(buttons))


async def forget_me(message: Message, settings: Settings) -> None:
    uid = message.from_user.id if message.from_user else message.chat.id
    text = privacy.forget_confirmation(settings, uid)
    await message.answer(text, reply_markup=keyboards.forget_confirm())


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
    uid = query.from_user.id
    if callback_data.action == "ask":
        confirm = privacy.forget_confirmation(settings, uid)
        await send_to_chat(query, confirm, keyboards.forget_confirm())
        return
    await drop_keyboard(query)
    if callback_data.action != "yes":
        await send_to_chat(query, texts.FORGET_KEPT)
        return
    done = await privacy.forget(repo, uid, clock, querylog, faq)
    await state.clear()
    said = texts.FORGOTTEN_ALREADY if done.already else texts.FORGOTTEN
    said += privacy.forgotten_note(settings, uid)
    await send_to_chat(query, said, ReplyKeyboardRemove())
    await privacy.redact(people(bot, messenger), done)  # a list may have gone to MAX staff
    now = clock.now()
    for registration, event in done.promoted:
        await notify_promoted(people(bot, messenger), registration, event, settings, now)


async def withdraw_consent(
    message: Message, repo: Repositories, user: User | None, clock: Clock, settings: Settings
) -> None:
    if user is None:
        return
    text, buttons = await withdrawal.confirmation(repo, user.id, clock.now(), settings.tz)
    await message.answer(text, reply_markup=render(buttons) if buttons else None)


async def withdraw_cb(
    query: CallbackQuery,
    callback_data: ConsentCb,
    repo: Repositories,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
    settings: Settings,
    messenger: Switchboard | None = None,
) -> None:
    """`ask` from /my_data, `yes`/`no` under the confirmation; a stale one changes nothing."""
    await query.answer()
    uid = query.from_user.id
    if callback_data.action == "ask":
        text, buttons = await withdrawal.confirmation(repo, uid, clock.now(), settings.tz)
        await send_to_chat(query, text, render(buttons) if buttons else None)
        return
    await drop_keyboard(query)
    if callback_data.action != "yes":
        kept = await withdrawal.given(repo, uid)
        await send_to_chat(query, t.KEPT if kept else t.STALE)
        return
    done = await withdrawal.withdraw(repo, uid, clock.now())
    if done is None:
        await send_to_chat(query, t.STALE)
        return
    if await state.get_state() in ProfileForm.__all_states_names__:
        await state.clear()  # a form begun before: its answers (a name, maybe) go too
    await send_to_chat(query, withdrawal.done_text(done, settings.tz))
    await withdrawal.tell_promoted(people(bot, messenger), done, settings)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(my_data, Command("my_data", "privacy"))  # /privacy: Telegram's
    router.message.register(my_data, Typed("my_data"), StateFilter(None))
    router.message.register(my_data, F.text == texts.BTN_MY_DATA)
    router.message.register(forget_me, Command("forget_me"))
    router.callback_query.register(forget_cb, ForgetCb.filter())
    router.message.register(withdraw_consent, Command("withdraw_consent"))
    router.callback_query.register(withdraw_cb, ConsentCb.filter())
    return router
