"""Teachers and events: the list with filters, the card, registration, cancelling, .ics,
«Мои записи» and the participation confirmation."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import BaseFilter, Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Messenger, Switchboard
from bot.services.chats import registry
from bot.services.events.asked import Asked, asked, asked_view
from bot.services.events.listing import (
    ListFilter,
    kinds_menu,
    list_view,
    months_menu,
    my_view,
    split_action,
    waiting_positions,
)
from bot.services.events.proof import proof_for
from bot.services.events.registration import (
    become_teacher,
    cancel_one,
    cancel_question,
    cancelled_text,
    notify_promoted,
    send_confirmation,
    send_ics,
    take_seat,
)
from bot.services.events.rules import cancel_refusal, ics_refusal, signup_refusal
from bot.texts import events as t
from handlers.tg import keyboards
from handlers.tg.callbacks import EventCb, EventFilterCb, EventListCb
from handlers.tg.edits import edit_or_send, send_to_chat
from handlers.tg.event_card import render_card
from handlers.tg.filters import Typed
from handlers.tg.keyboards import events as kb
from handlers.tg.messenger import TelegramMessenger, markup, people, render
from handlers.tg.profile_entry import start_profile
from storage.models import Event, RegistrationStatus, Role, User
from storage.repositories import Repositories

log = logging.getLogger(__name__)


async def show_list(
    target: Message | CallbackQuery,
    flt: EventListCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
    viewer: int | None = None,
) -> None:
    page = ListFilter(flt.kind, flt.month, flt.page)
    text, buttons = await list_view(
        repo, page, clock.now(), settings.tz, new_button=is_admin, viewer=viewer
    )
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, text, render(buttons))
    else:
        await target.answer(text, reply_markup=render(buttons))


async def events_command(
    message: Message, repo: Repositories, settings: Settings, clock: Clock, is_admin: bool,
    user: User | None = None,
) -> None:  # fmt: skip
    viewer = user.id if user else None
    await show_list(message, EventListCb(), repo, settings, clock, is_admin, viewer)


class AskedWhen(BaseFilter):
    """«15.12», «мероприятия в декабре», «хочу на семинар» typed (services.events.asked); not
    while a ticket is open: «15.12» is then the asker's answer to the specialist."""

    async def __call__(
        self,
        message: Message,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        user: User | None = None,
    ) -> bool | dict[str, Any]:
        role = user.role if user else None
        what = asked(message.text, clock.now(), settings.tz, role)
        if what is None or user is None or await repo.tickets.open_for_user(user.id):
            return False
        return {"asked_for": what}


async def asked_events(
    message: Message, asked_for: Asked, repo: Repositories, settings: Settings, clock: Clock,
    user: User | None = None,
) -> None:  # fmt: skip
    viewer = user.id if user else None
    text, buttons = await asked_view(repo, asked_for, clock.now(), settings.tz, viewer)
    await message.answer(text, reply_markup=render(buttons))


async def list_cb(
    query: CallbackQuery,
    callback_data: EventListCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
    user: User | None = None,
) -> None:
    await query.answer()
    viewer = user.id if user else None
    await show_list(query, callback_data, repo, settings, clock, is_admin, viewer)


async def filter_cb(
    query: CallbackQuery,
    callback_data: EventFilterCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    user: User | None = None,
) -> None:
    await query.answer()
    if callback_data.what == "kind":
        await edit_or_send(query, t.PICK_KIND, render(kinds_menu(callback_data.month)))
        return
    viewer = user.id if user else None
    menu = await months_menu(repo, callback_data.kind, clock.now(), settings.tz, viewer)
    await edit_or_send(query, t.PICK_MONTH, render(menu))


async def event_cb(
    query: CallbackQuery,
    callback_data: EventCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
    state: FSMContext,
    user: User | None,
    bot: Bot,
    messenger: Switchboard | None = None,
) -> None:
    event = await repo.events.get(callback_data.id)
    if event is None or user is None:
        await query.answer(t.EVENT_GONE, show_alert=True)
        return
    # «<action>.<kind>.<month>.<page>»: the card was opened from that list, kept through presses
    action, back = split_action(callback_data.action)
    if action == "reg":
        await _register(query, event, user, repo, settings, clock, state, is_admin, back)
    elif action in ("cancel", "cancel_yes") and (refusal := cancel_refusal(event, clock.now())):
        await query.answer(refusal, show_alert=True)
    elif action == "cancel":
        await query.answer()
        registration = await repo.events.registration(event.id, user.id)
        question, yes = cancel_question(event, registration)
        await edit_or_send(query, question, kb.cancel_confirm(event.id, yes, back))
    elif action == "cancel_yes":
        who = people(bot, messenger)
        await _cancel(query, event, user, repo, settings, clock, who, is_admin, back)
    elif action == "ics":
        await _ics(query, event, user, repo, settings, bot, is_admin)
    elif action == "proof":
        await _proof(query, event, user, repo, settings, clock)
    else:
        await query.answer()
        text, markup = await render_card(event, user.id, repo, settings, clock, is_admin, back)
        await edit_or_send(query, text, markup)


async def _ics(
    query: CallbackQuery,
    event: Event,
    user: User,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
    is_admin: bool,
) -> None:
    """The file holds the place (an online meeting's link): only for those with a seat and
    for staff. The button is shown only to them, but callback data can be forged."""
    if refusal := ics_refusal(event):
        await query.answer(refusal, show_alert=True)
        return
    registration = await repo.events.registration(event.id, user.id)
    seated = registration is not None and registration.status in (
        RegistrationStatus.REGISTERED,
        RegistrationStatus.ATTENDED,
    )
    if not (seated or is_admin):
        await query.answer(t.ICS_NOT_REGISTERED, show_alert=True)
        return
    await query.answer()
    await send_ics(TelegramMessenger(bot), query.from_user.id, event, settings)


async def _register(
    query: CallbackQuery,
    event: Event,
    user: User,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    state: FSMContext,
    is_admin: bool,
    back: ListFilter,
) -> None:
    refusal = signup_refusal(event, clock.now(), settings.tz)
    if refusal:
        await query.answer(refusal, show_alert=True)
        return
    if await repo.profiles.get(user.id) is None:
        await start_profile(query, state, repo, event, settings, clock.now())
        return
    await query.answer()
    assert query.bot is not None
    new_teacher = await become_teacher(repo, user)
    done = await take_seat(repo, user.id, event, settings, clock.now())
    with_menu = new_teacher and done.welcomes  # the menu now has «Мои записи»: it goes along
    if with_menu:
        menu = keyboards.main_menu(Role.TEACHER, is_admin)
        news = await registry.news_on_registering(repo, user.id)  # a parent's, kept
        await query.bot.send_message(user.id, done.text + news, reply_markup=menu)
    await send_confirmation(TelegramMessenger(query.bot), user.id, done, text=not with_menu)
    await repo.session.refresh(event)
    text, markup = await render_card(event, user.id, repo, settings, clock, is_admin, back)
    await edit_or_send(query, text, markup)


async def _cancel(
    query: CallbackQuery,
    event: Event,
    user: User,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    messenger: Messenger,
    is_admin: bool,
    back: ListFilter,
) -> None:
    registration = await repo.events.registration(event.id, user.id)
    if registration is None:
        await query.answer(t.NOT_CANCELLED, show_alert=True)
        return
    now = clock.now()
    result = await cancel_one(repo, registration, event, now)
    await repo.commit()
    if not result.cancelled:
        await query.answer(t.NOT_CANCELLED, show_alert=True)
        return
    await query.answer()
    await send_to_chat(query, cancelled_text(event, result))
    if result.promoted is not None:
        # the next in line may be in MAX: the app's Switchboard finds them
        await notify_promoted(messenger, result.promoted, event, settings, now)
    await repo.session.refresh(event)
    text, markup = await render_card(event, user.id, repo, settings, clock, is_admin, back)
    await edit_or_send(query, text, markup)


async def _proof(
    query: CallbackQuery,
    event: Event,
    user: User,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    """The confirmation once the event is over: a message and a DOCX for the portfolio."""
    proof = await proof_for(repo, event, user.id, settings, clock.now())
    if isinstance(proof, str):
        await query.answer(proof, show_alert=True)
        return
    await query.answer()
    await send_to_chat(query, proof.text)
    assert query.bot is not None
    messenger = TelegramMessenger(query.bot)
    await messenger.send_file(query.from_user.id, proof.file, caption=proof.caption)


async def my_events(
    message: Message, repo: Repositories, settings: Settings, clock: Clock, user: User | None
) -> None:
    if user is None:
        return
    registrations = await repo.events.for_user(user.id, clock.now())
    positions = await waiting_positions(repo, registrations)
    text, buttons = my_view(registrations, settings.tz, clock.now(), positions)
    await message.answer(text, reply_markup=markup(buttons))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(events_command, Command("events"))
    router.message.register(events_command, F.text == texts.BTN_EVENTS)
    router.message.register(events_command, Typed("events"), StateFilter(None))
    router.message.register(my_events, Command("my_events"))
    router.message.register(my_events, F.text == texts.BTN_MY_EVENTS)
    router.message.register(my_events, Typed("my_events"), StateFilter(None))
    router.message.register(asked_events, F.text, StateFilter(None), AskedWhen())
    router.callback_query.register(list_cb, EventListCb.filter())
    router.callback_query.register(filter_cb, EventFilterCb.filter())
    router.callback_query.register(event_cb, EventCb.filter())
    return router
