"""An event's card as one person sees it: the text for their registration (or the queue
position) and the buttons they may press. Shown by the events list and by the deep link
`?start=event_<id>` (handlers.start)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.services.events import attendance
from bot.services.events import cards as events_view
from bot.services.events.listing import WHOLE_LIST, ListFilter, card_buttons, staff_card_actions
from bot.services.events.rules import open_for_signup
from bot.texts import events as t
from handlers.tg.messenger import render
from storage.models import Event, RegistrationStatus
from storage.repositories import Repositories


async def render_card(
    event: Event,
    user_id: int,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
    back: ListFilter = WHOLE_LIST,
) -> tuple[str, InlineKeyboardMarkup]:
    """`back`: the list the card was opened from («« К списку» shows it again)."""
    registration = await repo.events.registration(event.id, user_id)
    position = 0
    if registration is not None and registration.status == RegistrationStatus.WAITING:
        position = await repo.events.waiting_position(registration)
    active = registration is not None and registration.status in (
        RegistrationStatus.REGISTERED,
        RegistrationStatus.ATTENDED,
    )
    now = clock.now()
    show_link = active or is_admin
    turnout = await attendance.turnout(repo, event, now) if is_admin else None
    queue = await attendance.queue(repo, event) if is_admin else None
    text = events_view.card(
        event, settings.tz, registration, position, show_link, now=now, turnout=turnout,
        queue=queue,
    )  # fmt: skip
    staff = staff_card_actions(event, now) if is_admin else []
    signup, started = open_for_signup(event, now), now >= event.starts_at
    buttons = card_buttons(event, registration, signup, staff, started=started, back=back)
    return text, render(buttons)


async def send_card(
    message: Message,
    event_id: int,
    user_id: int,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    is_admin: bool,
) -> bool:
    """Used by the deep link `?start=event_<id>`; False when the event is gone."""
    event = await repo.events.get(event_id)
    if event is None:
        await message.answer(t.EVENT_GONE)
        return False
    text, markup = await render_card(event, user_id, repo, settings, clock, is_admin)
    await message.answer(text, reply_markup=markup)
    return True
