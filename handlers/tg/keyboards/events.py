"""Keyboards of the events feature (teacher side, with the staff buttons on the card)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.core.dates import MONTHS_NOMINATIVE
from bot.core.markup import clip
from bot.core.messages import Button, rows
from bot.services.events.cards import short_when
from bot.texts import events as t
from bot.texts.events_labels import KIND_LABELS
from handlers.tg.callbacks import (
    AdminEventCb,
    EventCb,
    EventFilterCb,
    EventListCb,
    ProfileCb,
)
from handlers.tg.messenger import contact_keyboard
from storage.models import Event, EventStatus, Registration, RegistrationStatus


def events_list(
    events: Sequence[Event],
    tz: ZoneInfo,
    flt: EventListCb,
    has_more: bool,
    is_admin: bool,
    this_year: int | None = None,
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for event in events:
        label = f"{short_when(event.starts_at, tz, this_year)} · {clip(event.title, 40)}"
        builder.button(text=label, callback_data=EventCb(action="card", id=event.id))
    kind = KIND_LABELS.get(flt.kind, t.BTN_KIND_ALL)
    month = MONTHS_NOMINATIVE[flt.month % 100 - 1].capitalize() if flt.month else t.BTN_MONTH_ALL
    # each filter menu carries the other filter, so picking one keeps the other
    current = {"kind": flt.kind, "month": flt.month}
    builder.button(
        text=t.BTN_FILTER_KIND.format(value=kind),
        callback_data=EventFilterCb(what="kind", **current),
    )
    builder.button(
        text=t.BTN_FILTER_MONTH.format(value=month),
        callback_data=EventFilterCb(what="month", **current),
    )
    sizes = [1] * len(events) + [2]
    nav = [(flt.page - 1, texts.BTN_PREV_PAGE)] if flt.page > 0 else []
    nav += [(flt.page + 1, texts.BTN_MORE_PAGE)] if has_more else []
    for page, label in nav:
        builder.button(
            text=label, callback_data=EventListCb(kind=flt.kind, month=flt.month, page=page)
        )
    if nav:
        sizes.append(len(nav))
    if is_admin:
        builder.button(text="➕ Новое мероприятие", callback_data=AdminEventCb(action="new"))
        sizes.append(1)
    builder.adjust(*sizes)
    return builder.as_markup()


def kinds(month: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_KIND_ALL, callback_data=EventListCb(month=month))
    for kind, label in KIND_LABELS.items():
        builder.button(text=label, callback_data=EventListCb(kind=kind, month=month))
    builder.adjust(1)
    return builder.as_markup()


def months(available: Sequence[int], kind: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_MONTH_ALL, callback_data=EventListCb(kind=kind))
    for ym in available:
        label = f"{MONTHS_NOMINATIVE[ym % 100 - 1].capitalize()} {ym // 100}"
        builder.button(text=label, callback_data=EventListCb(kind=kind, month=ym))
    builder.adjust(1)
    return builder.as_markup()


def card(
    event: Event, registration: Registration | None, is_admin: bool, open_for_signup: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    status = registration.status if registration else RegistrationStatus.CANCELLED
    if status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING):
        builder.button(text=t.BTN_CANCEL_REG, callback_data=EventCb(action="cancel", id=event.id))
        if status == RegistrationStatus.REGISTERED:
            builder.button(text=t.BTN_ICS, callback_data=EventCb(action="ics", id=event.id))
    elif status == RegistrationStatus.ATTENDED:
        builder.button(text=t.BTN_PROOF, callback_data=EventCb(action="proof", id=event.id))
    elif open_for_signup:
        label = t.BTN_REGISTER if event.seats_left > 0 else t.BTN_WAITLIST
        builder.button(text=label, callback_data=EventCb(action="reg", id=event.id))
    if is_admin:
        for action, label in admin_card_buttons(event):
            builder.button(text=label, callback_data=AdminEventCb(action=action, id=event.id))
    builder.button(text=t.BTN_TO_LIST, callback_data=EventListCb())
    builder.adjust(1)
    return builder.as_markup()


def admin_card_buttons(event: Event) -> list[tuple[str, str]]:
    """Staff buttons under a card; their handlers re-check the role on the server."""
    buttons = [("people", "👥 Участники"), ("xlsx", "📥 Excel"), ("attend", "☑️ Присутствие")]
    if event.status != EventStatus.CANCELLED:
        buttons.append(("edit", "✏️ Изменить"))
    if event.status == EventStatus.PUBLISHED:
        buttons.append(("announce", "📣 Анонсировать"))
        buttons.append(("close", "🔒 Закрыть запись"))
    if event.status != EventStatus.CANCELLED:
        buttons.append(("cancel", "🚫 Отменить мероприятие"))
    return buttons


def cancel_confirm(event_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_CANCEL_YES, callback_data=EventCb(action="cancel_yes", id=event_id))
    builder.button(text=t.BTN_CANCEL_NO, callback_data=EventCb(action="card", id=event_id))
    builder.adjust(2)
    return builder.as_markup()


def my_events(
    registrations: Sequence[Registration], tz: ZoneInfo, this_year: int | None = None
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for reg in registrations:
        label = f"{short_when(reg.event.starts_at, tz, this_year)} · {clip(reg.event.title, 40)}"
        builder.button(text=label, callback_data=EventCb(action="card", id=reg.event_id))
    builder.adjust(1)
    return builder.as_markup()


def organisations(names: Sequence[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(names):
        builder.button(text=clip(name, 60), callback_data=ProfileCb(field="org", value=index))
    builder.button(text=t.BTN_ORG_OTHER, callback_data=ProfileCb(field="org", value=-1))
    builder.adjust(1)
    return builder.as_markup()


def positions() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(t.POSITIONS):
        builder.button(text=name, callback_data=ProfileCb(field="pos", value=index))
    builder.adjust(1)
    return builder.as_markup()


def share_phone() -> ReplyKeyboardMarkup:
    """The neutral contact request (the same button MAX's profile dialog sends)."""
    return contact_keyboard(rows(Button.contact(t.BTN_SHARE_PHONE)))


def yes_no(field: str, yes: str, no: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=yes, callback_data=ProfileCb(field=field, value=1))
    builder.button(text=no, callback_data=ProfileCb(field=field, value=0))
    builder.adjust(1)
    return builder.as_markup()


def profile() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BTN_PROFILE_EDIT, callback_data=ProfileCb(field="edit"))
    return builder.as_markup()
