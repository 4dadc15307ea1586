"""Teachers and events in MAX: /events, the card, «Записаться» / «Отменить запись», the
deep link `event_<id>` — over the same services as handlers/events.py.

Button payloads are packed exactly like the Telegram CallbackData (`ev:card:7`, `evl::0:0`),
so one format serves both messengers. A first registration asks the profile and the
consent (handlers.max.profile); the seat, the queue and the promotion are the services'.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot import texts
from bot.core.markup import clip, fill
from bot.core.messages import Button, Deferred, Keyboard, Unreachable, pack, rows
from bot.services.events import cards as events_view
from bot.services.events.registration import (
    become_teacher,
    notify_promoted,
    send_confirmation,
    take_seat,
)
from bot.services.events.rules import open_for_signup, signup_blocker
from bot.texts import events as t
from handlers.max import profile, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, visit
from storage.models import Event, RegistrationStatus

log = logging.getLogger(__name__)
PAGE = 8
EVENT_PREFIX = "event_"


def event_button(label: str, action: str, event_id: int) -> Button:
    return Button(label, pack("ev", action, event_id))  # = EventCb(action=…, id=…).pack()


def to_list() -> Button:
    return Button(t.BTN_TO_LIST, pack("evl", "", 0, 0))  # = EventListCb().pack()


async def show_list(v: Visit) -> None:
    settings, now = v.ctx.settings, v.ctx.clock.now()
    events = await v.repo.events.upcoming(now, None, None, offset=0, limit=PAGE)
    this_year = now.astimezone(settings.tz).year
    lines = [events_view.list_line(e, settings.tz, this_year) for e in events]
    text = "\n\n".join([t.LIST_TITLE, *lines]) if events else f"{t.LIST_TITLE}\n\n{t.LIST_EMPTY}"
    buttons = [
        event_button(
            f"{events_view.short_when(e.starts_at, settings.tz, this_year)} · {clip(e.title, 40)}",
            "card",
            e.id,
        )
        for e in events
    ]
    await v.say(text, rows(*buttons) if buttons else None)


async def card(v: Visit, event: Event) -> tuple[str, Keyboard]:
    """The card's text (as Telegram's) and the teacher's buttons (staff work in Telegram)."""
    registration = await v.repo.events.registration(event.id, v.uid)
    status = registration.status if registration else RegistrationStatus.CANCELLED
    position = 0
    if registration is not None and status == RegistrationStatus.WAITING:
        position = await v.repo.events.waiting_position(registration)
    active = status in (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
    text = events_view.card(event, v.ctx.settings.tz, registration, position, active)
    buttons: list[Button] = []
    if status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING):
        buttons.append(event_button(t.BTN_CANCEL_REG, "cancel", event.id))
    elif status != RegistrationStatus.ATTENDED and open_for_signup(event, v.ctx.clock.now()):
        label = t.BTN_REGISTER if event.seats_left > 0 else t.BTN_WAITLIST
        buttons.append(event_button(label, "reg", event.id))
    buttons.append(to_list())
    return text, rows(*buttons)


async def send_card(v: Visit, event: Event) -> None:
    text, buttons = await card(v, event)
    await v.say(text, buttons)


async def event_link(v: Visit, payload: str) -> bool:
    """A deep link `event_<id>`: the card (True if shown)."""
    raw = payload.removeprefix(EVENT_PREFIX)
    if not payload.startswith(EVENT_PREFIX) or not raw.isdigit() or int(raw) > 2**31 - 1:
        return False
    event = await v.repo.events.get(int(raw))
    if event is None:
        await v.say(t.EVENT_GONE)
        return True
    await send_card(v, event)
    return True


def refusal(event: Event, now: datetime, v: Visit) -> str | None:
    blocker = signup_blocker(event, now)
    if blocker == "deadline" and event.registration_deadline is not None:
        local = event.registration_deadline.astimezone(v.ctx.settings.tz)
        return t.REG_DEADLINE.format(when=f"{local:%d.%m.%Y %H:%M}")
    return {"closed": t.REG_CLOSED, "past": t.REG_PAST}.get(blocker or "")


async def register_pressed(v: Visit, event: Event) -> None:
    ctx = v.ctx
    blocked = refusal(event, ctx.clock.now(), v)
    if blocked:
        await updates.answer(ctx, v.update, blocked)
        return
    await updates.answer(ctx, v.update)
    if await v.repo.profiles.get(v.uid) is None:
        await profile.start(v, pending_event=event.id)
        return
    await become_teacher(v.repo, v.user)
    done = await take_seat(v.repo, v.uid, event, ctx.settings)
    await send_confirmation(ctx.messenger, v.uid, done)
    await v.repo.session.refresh(event)
    await send_card(v, event)


async def cancel_confirmed(v: Visit, event: Event) -> None:
    ctx = v.ctx
    registration = await v.repo.events.registration(event.id, v.uid)
    if registration is None:
        await updates.answer(ctx, v.update, t.NOT_CANCELLED)
        return
    result = await v.repo.events.cancel(registration, ctx.clock.now())
    await v.repo.commit()
    if not result.cancelled:
        await updates.answer(ctx, v.update, t.NOT_CANCELLED)
        return
    await updates.answer(ctx, v.update)
    template = t.CANCELLED_LATE if result.late else t.CANCELLED
    await v.say(fill(template, title=event.title))
    if result.promoted is not None:  # whichever messenger the next in line is in
        try:
            await notify_promoted(ctx.messenger, result.promoted, event, ctx.settings)
        except (Unreachable, Deferred) as exc:
            log.info("promotion notice not delivered: %s", exc)
    await v.repo.session.refresh(event)
    await send_card(v, event)


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix not in ("ev", "evl"):
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        if prefix == "evl":
            await updates.answer(ctx, update)
            await show_list(v)
            return True
        action, _, raw = rest.partition(":")
        event_id = int(raw) if raw.isdigit() and int(raw) <= 2**31 - 1 else 0
        event = await v.repo.events.get(event_id) if event_id else None
        if event is None:
            await updates.answer(ctx, update, t.EVENT_GONE)
        elif action == "reg":
            await register_pressed(v, event)
        elif action == "cancel":
            await updates.answer(ctx, update)
            confirm = rows(
                event_button(t.BTN_CANCEL_YES, "cancel_yes", event.id),
                event_button(t.BTN_CANCEL_NO, "card", event.id),
                per_row=(2,),
            )
            await v.say(fill(t.CANCEL_CONFIRM, title=event.title), confirm)
        elif action == "cancel_yes":
            await cancel_confirmed(v, event)
        else:
            await updates.answer(ctx, update)
            await send_card(v, event)
    return True


async def commands(ctx: MaxContext, update: JsonDict) -> bool:
    """/events or the menu's «Мероприятия» text."""
    text = updates.text(update).strip()
    if not updates.is_dialog(update) or text not in ("/events", texts.BTN_EVENTS):
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        await v.clear_state()
        await show_list(v)
    return True


def register(routes: Routes) -> None:
    routes.add("message_created", commands)
    routes.add("message_callback", callbacks)
    profile.register(routes)
