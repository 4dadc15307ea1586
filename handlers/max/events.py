"""Teachers and events in MAX: the card, «Записаться» / «Отменить запись», the .ics, the
participation confirmation, the deep link `event_<id>` — over the same services as
handlers/events.py. The list and its filters are handlers.max.event_list; the staff buttons
under the card (MAX_ADMIN_IDS) are handlers.max.staff_events.

Button payloads are packed exactly like the Telegram CallbackData (`ev:card:7`, `evl::0:0`),
so one format serves both messengers. A first registration asks the profile and the
consent (handlers.max.profile); the seat, the queue and the promotion are the services'.
"""

from __future__ import annotations

import logging

from bot.core.messages import Button, Deferred, Keyboard, Unreachable, pack, rows
from bot.services.chats import registry
from bot.services.events import attendance
from bot.services.events import cards as events_view
from bot.services.events.links import EVENT_PREFIX
from bot.services.events.listing import (
    WHOLE_LIST,
    ListFilter,
    card_action,
    card_buttons,
    split_action,
    staff_card_actions,
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
from bot.services.events.rules import (
    cancel_refusal,
    ics_refusal,
    open_for_signup,
    signup_refusal,
)
from bot.texts import events as t
from handlers.max import event_list, profile, staff_events, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, visit
from storage.models import SEATED, Event, RegistrationStatus

log = logging.getLogger(__name__)


def event_button(label: str, action: str, event_id: int) -> Button:
    return Button(label, pack("ev", action, event_id))  # = EventCb(action=…, id=…).pack()


async def card(v: Visit, event: Event, back: ListFilter = WHOLE_LIST) -> tuple[str, Keyboard]:
    """The card's text and buttons as Telegram's, with the staff actions MAX serves; `back`:
    the list it was opened from («« К списку» shows it again)."""
    registration = await v.repo.events.registration(event.id, v.uid)
    position = 0
    if registration is not None and registration.status == RegistrationStatus.WAITING:
        position = await v.repo.events.waiting_position(registration)
    active = registration is not None and registration.status in SEATED
    tz = v.ctx.settings.tz
    now = v.ctx.clock.now()
    turnout = await attendance.turnout(v.repo, event, now) if v.is_admin else None
    queue = await attendance.queue(v.repo, event) if v.is_admin else None
    show_link = active or v.is_admin
    text = events_view.card(
        event, tz, registration, position, show_link, now=now, turnout=turnout, queue=queue
    )
    staff = [a for a in staff_card_actions(event, now) if a[0] in staff_events.CARD_ACTIONS]
    signup = open_for_signup(event, now)
    staff = staff if v.is_admin else []
    started = now >= event.starts_at
    return text, card_buttons(event, registration, signup, staff, started=started, back=back)


async def send_card(v: Visit, event: Event) -> None:
    text, buttons = await card(v, event)
    await v.say(text, buttons)


async def edit_card(v: Visit, event: Event, back: ListFilter = WHOLE_LIST) -> None:
    """A press on the card turns it into the card as it is now (or the pressed message into
    the card), as Telegram's edit_or_send; a message MAX will not edit gets a new card."""
    await v.repo.session.refresh(event)
    await v.replace(*await card(v, event, back))


async def event_link(v: Visit, payload: str) -> bool:
    """A deep link `event_<id>`: the card (True if shown)."""
    event_id = updates.number(payload.removeprefix(EVENT_PREFIX))
    if not payload.startswith(EVENT_PREFIX) or event_id is None:
        return False
    event = await v.repo.events.get(event_id)
    if event is None:
        await v.say(t.EVENT_GONE)
        return True
    await send_card(v, event)
    return True


async def register_pressed(v: Visit, event: Event, back: ListFilter) -> None:
    ctx = v.ctx
    blocked = signup_refusal(event, ctx.clock.now(), ctx.settings.tz)
    if blocked:
        await updates.answer(ctx, v.update, blocked)
        return
    if await v.repo.profiles.get(v.uid) is None:
        await profile.start(v, pending_event=event)  # answers the press
        return
    await updates.answer(ctx, v.update)
    new_teacher = await become_teacher(v.repo, v.user)
    done = await take_seat(v.repo, v.uid, event, ctx.settings, ctx.clock.now())
    news = ""
    if new_teacher and done.welcomes:  # a parent's news are kept: the confirmation says so
        news = await registry.news_on_registering(v.repo, v.uid)
    if news:
        await v.say(done.text + news)
    await send_confirmation(ctx.messenger, v.uid, done, text=not news)
    await edit_card(v, event, back)


async def cancel_confirmed(v: Visit, event: Event, back: ListFilter) -> None:
    ctx = v.ctx
    if refusal := cancel_refusal(event, ctx.clock.now()):
        await updates.answer(ctx, v.update, refusal)
        return
    registration = await v.repo.events.registration(event.id, v.uid)
    if registration is None:
        await updates.answer(ctx, v.update, t.NOT_CANCELLED)
        return
    now = ctx.clock.now()
    result = await cancel_one(v.repo, registration, event, now)
    await v.repo.commit()
    if not result.cancelled:
        await updates.answer(ctx, v.update, t.NOT_CANCELLED)
        return
    await updates.answer(ctx, v.update)
    await v.say(cancelled_text(event, result))
    if result.promoted is not None:  # whichever messenger the next in line is in
        try:
            await notify_promoted(ctx.messenger, result.promoted, event, ctx.settings, now)
        except (Unreachable, Deferred) as exc:
            log.info("promotion notice not delivered: %s", exc)
    await edit_card(v, event, back)


async def cancel_asked(v: Visit, event: Event, back: ListFilter) -> None:
    await updates.answer(v.ctx, v.update)
    question, yes = cancel_question(event, await v.repo.events.registration(event.id, v.uid))
    confirm = rows(
        event_button(yes, card_action(back, "cancel_yes"), event.id),
        event_button(t.BTN_CANCEL_NO, card_action(back), event.id),
        per_row=(2,),
    )
    await v.replace(question, confirm)  # as Telegram: the card asks, «Нет» brings it back


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix != "ev":
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        payload, _, raw = rest.partition(":")
        # «<action>.<kind>.<month>.<page>»: the card was opened from that list, kept through
        action, back = split_action(payload)
        event_id = updates.number(raw) or 0
        event = await v.repo.events.get(event_id) if event_id else None
        if event is None:
            await updates.answer(ctx, update, t.EVENT_GONE)
        elif action == "reg":
            await register_pressed(v, event, back)
        elif action == "cancel" and (refusal := cancel_refusal(event, ctx.clock.now())):
            await updates.answer(ctx, update, refusal)
        elif action == "cancel":
            await cancel_asked(v, event, back)
        elif action == "cancel_yes":
            await cancel_confirmed(v, event, back)
        elif action == "ics":
            await ics_pressed(v, event)
        elif action == "proof":
            await proof_pressed(v, event)
        else:
            await edit_card(v, event, back)
    return True


async def ics_pressed(v: Visit, event: Event) -> None:
    """The file holds the place (an online meeting's link): only for a seat, and for staff."""
    if refusal := ics_refusal(event):
        await updates.answer(v.ctx, v.update, refusal)
        return
    registration = await v.repo.events.registration(event.id, v.uid)
    if not ((registration is not None and registration.status in SEATED) or v.is_admin):
        await updates.answer(v.ctx, v.update, t.ICS_NOT_REGISTERED)
        return
    await updates.answer(v.ctx, v.update)
    await send_ics(v.ctx.messenger, v.uid, event, v.ctx.settings)


async def proof_pressed(v: Visit, event: Event) -> None:
    """The confirmation and its DOCX, once marked present and the event is over."""
    proof = await proof_for(v.repo, event, v.uid, v.ctx.settings, v.ctx.clock.now())
    if isinstance(proof, str):
        await updates.answer(v.ctx, v.update, proof)
        return
    await updates.answer(v.ctx, v.update)
    await v.say(proof.text)
    await v.send_file(proof.file, proof.caption)


def register(routes: Routes) -> None:
    event_list.register(routes)
    routes.add("message_callback", callbacks)
    staff_events.register(routes)
    profile.register(routes)
