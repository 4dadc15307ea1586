"""Teachers and events: the list with filters, the card, registration, cancelling, .ics,
«Мои записи» and the participation confirmation."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill, q
from bot.core.messages import Messenger, Switchboard
from bot.services.events import cards as events_view
from bot.services.events.participation import Participation, participation_docx
from bot.services.events.registration import (
    become_teacher,
    notify_promoted,
    send_confirmation,
    send_ics,
    take_seat,
)
from bot.services.events.rules import signup_blocker
from bot.texts import events as t
from bot.texts.events_labels import KIND_LABELS
from handlers.tg import keyboards
from handlers.tg.callbacks import EventCb, EventFilterCb, EventListCb
from handlers.tg.edits import edit_or_send, send_to_chat
from handlers.tg.event_card import render_card
from handlers.tg.keyboards import events as kb
from handlers.tg.messenger import TelegramMessenger, people
from handlers.tg.profile_entry import start_profile
from storage.models import Event, RegistrationStatus, Role, User
from storage.repositories import Repositories

log = logging.getLogger(__name__)
PAGE = 8


def month_bounds(ym: int, settings: Settings) -> tuple[datetime, datetime]:
    year, month = divmod(ym, 100)
    start = datetime(year, month, 1, tzinfo=settings.tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=settings.tz)
    return start, end


async def show_list(
    target: Message | CallbackQuery,
    flt: EventListCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
) -> None:
    between = month_bounds(flt.month, settings) if flt.month else None
    # one page per message, edited in place: a growing list would outgrow 4,096 characters
    events = await repo.events.upcoming(
        clock.now(), flt.kind or None, between, offset=PAGE * flt.page, limit=PAGE + 1
    )
    shown, has_more = events[:PAGE], len(events) > PAGE
    this_year = clock.now().astimezone(settings.tz).year
    lines = [events_view.list_line(e, settings.tz, this_year) for e in shown]
    text = "\n\n".join([t.LIST_TITLE, *lines]) if shown else f"{t.LIST_TITLE}\n\n{t.LIST_EMPTY}"
    markup = kb.events_list(shown, settings.tz, flt, has_more, is_admin, this_year)
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, text, markup)
    else:
        await target.answer(text, reply_markup=markup)


async def events_command(
    message: Message, repo: Repositories, settings: Settings, clock: Clock, is_admin: bool
) -> None:
    await show_list(message, EventListCb(), repo, settings, clock, is_admin)


async def list_cb(
    query: CallbackQuery,
    callback_data: EventListCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
) -> None:
    await query.answer()
    await show_list(query, callback_data, repo, settings, clock, is_admin)


async def filter_cb(
    query: CallbackQuery,
    callback_data: EventFilterCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    await query.answer()
    if callback_data.what == "kind":
        await edit_or_send(query, t.PICK_KIND, kb.kinds(callback_data.month))
        return
    upcoming = await repo.events.upcoming(clock.now(), callback_data.kind or None, limit=200)
    months = sorted({int(f"{e.starts_at.astimezone(settings.tz):%Y%m}") for e in upcoming})
    await edit_or_send(query, t.PICK_MONTH, kb.months(months, callback_data.kind))


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
    action = callback_data.action
    if action == "reg":
        await _register(query, event, user, repo, settings, clock, state, is_admin)
    elif action == "cancel":
        await query.answer()
        await edit_or_send(
            query, fill(t.CANCEL_CONFIRM, title=event.title), kb.cancel_confirm(event.id)
        )
    elif action == "cancel_yes":
        await _cancel(query, event, user, repo, settings, clock, people(bot, messenger), is_admin)
    elif action == "ics":
        await _ics(query, event, user, repo, settings, bot, is_admin)
    elif action == "proof":
        await _proof(query, event, user, repo, settings, clock)
    else:
        await query.answer()
        text, markup = await render_card(event, user.id, repo, settings, clock, is_admin)
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


def _refusal(event: Event, now: datetime, settings: Settings) -> str | None:
    blocker = signup_blocker(event, now)
    if blocker == "deadline" and event.registration_deadline is not None:
        local = event.registration_deadline.astimezone(settings.tz)
        return t.REG_DEADLINE.format(when=f"{local:%d.%m.%Y %H:%M}")
    return {"closed": t.REG_CLOSED, "past": t.REG_PAST}.get(blocker or "")


async def _register(
    query: CallbackQuery,
    event: Event,
    user: User,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    state: FSMContext,
    is_admin: bool,
) -> None:
    refusal = _refusal(event, clock.now(), settings)
    if refusal:
        await query.answer(refusal, show_alert=True)
        return
    if await repo.profiles.get(user.id) is None:
        await query.answer()
        await start_profile(query, state, repo, pending_event=event.id)
        return
    await query.answer()
    assert query.bot is not None
    new_teacher = await become_teacher(repo, user)
    done = await take_seat(repo, user.id, event, settings)
    with_menu = new_teacher and done.welcomes  # the menu now has «Мои записи»: it goes along
    if with_menu:
        menu = keyboards.main_menu(Role.TEACHER, is_admin)
        await query.bot.send_message(user.id, done.text, reply_markup=menu)
    await send_confirmation(TelegramMessenger(query.bot), user.id, done, text=not with_menu)
    await repo.session.refresh(event)
    text, markup = await render_card(event, user.id, repo, settings, clock, is_admin)
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
) -> None:
    registration = await repo.events.registration(event.id, user.id)
    if registration is None:
        await query.answer(t.NOT_CANCELLED, show_alert=True)
        return
    result = await repo.events.cancel(registration, clock.now())
    await repo.commit()
    if not result.cancelled:
        await query.answer(t.NOT_CANCELLED, show_alert=True)
        return
    await query.answer()
    template = t.CANCELLED_LATE if result.late else t.CANCELLED
    await send_to_chat(query, fill(template, title=event.title))
    if result.promoted is not None:
        # the next in line may be in MAX: the app's Switchboard finds them
        await notify_promoted(messenger, result.promoted, event, settings)
    await repo.session.refresh(event)
    text, markup = await render_card(event, user.id, repo, settings, clock, is_admin)
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
    registration = await repo.events.registration(event.id, user.id)
    profile = await repo.profiles.get(user.id)
    if registration is None or registration.status != RegistrationStatus.ATTENDED or not profile:
        await query.answer(t.PROOF_NOT_YET, show_alert=True)
        return
    ends = events_view.ends_at(event)
    if clock.now() < ends:
        when = f"{ends.astimezone(settings.tz):%d.%m.%Y %H:%M}"
        await query.answer(t.PROOF_AFTER_END.format(when=when), show_alert=True)
        return
    await query.answer()
    dates = ", ".join(
        events_view.day_text(s.starts_at, settings.tz) for s in event.sessions
    ) or events_view.day_text(event.starts_at, settings.tz)
    minutes = sum(s.duration_min for s in event.sessions) or event.duration_min
    facts = Participation(
        moc_name=settings.moc_name,
        full_name=profile.full_name,
        organisation=profile.organisation,
        position=profile.position,
        title=event.title,
        kind=KIND_LABELS.get(event.kind, event.kind),
        dates=dates,
        hours=events_view.hours_text(minutes),
        number=registration.id,
        issued=clock.now().astimezone(settings.tz).date(),
    )
    text = fill(
        t.PROOF,
        name=facts.full_name,
        organisation=facts.organisation,
        title=facts.title,
        kind=facts.kind,
        dates=dates,
        hours=facts.hours,
        moc=facts.moc_name,
        reg_id=registration.id,
    )
    await send_to_chat(query, text)
    assert query.bot is not None
    name = t.FILE_PROOF.format(event=event.id, reg=registration.id)
    document = BufferedInputFile(participation_docx(facts), filename=name)
    await query.bot.send_document(query.from_user.id, document)


async def my_events(
    message: Message, repo: Repositories, settings: Settings, clock: Clock, user: User | None
) -> None:
    if user is None:
        return
    registrations = await repo.events.for_user(user.id, clock.now())
    if not registrations:
        await message.answer(t.MY_EMPTY)
        return
    labels = {
        RegistrationStatus.REGISTERED: t.STATUS_REGISTERED,
        RegistrationStatus.ATTENDED: t.STATUS_ATTENDED,
        RegistrationStatus.WAITING: "в листе ожидания",
    }
    this_year = clock.now().astimezone(settings.tz).year
    lines = [
        t.MY_LINE.format(
            when=events_view.short_when(r.event.starts_at, settings.tz, this_year),
            title=q(r.event.title),
            status=labels.get(RegistrationStatus(r.status), r.status),
        )
        for r in registrations
    ]
    await message.answer(
        "\n\n".join([t.MY_TITLE, *lines]),
        reply_markup=kb.my_events(registrations, settings.tz, this_year),
    )


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(events_command, Command("events"))
    router.message.register(events_command, F.text == texts.BTN_EVENTS)
    router.message.register(my_events, Command("my_events"))
    router.message.register(my_events, F.text == texts.BTN_MY_EVENTS)
    router.callback_query.register(list_cb, EventListCb.filter())
    router.callback_query.register(filter_cb, EventFilterCb.filter())
    router.callback_query.register(event_cb, EventCb.filter())
    return router
