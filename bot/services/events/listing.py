"""The events list as both messengers show it: a page with its type and month filters, the
filter menus and «Мои записи» — text and neutral buttons.

The payloads are the Telegram CallbackData strings (`evl:kind:month:page`,
`evf:what:kind:month`, `ev:card:id`, `eva:new:0`), so the Telegram keyboard and MAX's are one
and a button of either reads the same. Each filter menu carries the other filter, so picking a
type keeps the month and back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.core.dates import MONTHS_NOMINATIVE
from bot.core.markup import clip, q
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.events import editing
from bot.services.events.cards import (
    ends_at,
    list_line,
    meeting_note,
    next_meeting,
    not_over,
    short_when,
)
from bot.services.events.rules import open_for_signup
from bot.texts import events as t
from bot.texts.events_labels import KIND_LABELS
from storage.models import Event, EventStatus, Registration, RegistrationStatus
from storage.repositories import Repositories
from storage.repositories.event_pages import EventPages

PAGE = 8
MONTHS_SCAN = 200  # upcoming events read to offer their months
MAX_PAGE = 10_000  # as handlers.tg.callbacks.Page


@dataclass(frozen=True)
class ListFilter:
    """What the list shows: a kind ("" = all), a month as YYYYMM (0 = all), a page."""

    kind: str = ""
    month: int = 0
    page: int = 0


WHOLE_LIST = ListFilter()  # every kind, every month, the first page


def month_bounds(ym: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    year, month = divmod(ym, 100)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def card_button(
    event: Event, tz: ZoneInfo, this_year: int, at: datetime | None = None,
    flt: ListFilter = WHOLE_LIST,
) -> Button:  # fmt: skip
    """`flt`: the list the card is opened from, which its «« К списку» shows again."""
    label = f"{short_when(at or event.starts_at, tz, this_year)} · {clip(event.title, 40)}"
    return Button(label, pack("ev", card_action(flt), event.id))


def card_action(flt: ListFilter, name: str = "card") -> str:
    """A card button's action (`ev:<action>:<id>`): `name` («card», «reg», «cancel»…), or
    «<name>.<kind>.<month>.<page>» for a filtered or later page, so «« К списку» goes back
    to it (a month typed in words was lost on the way back, and again after «Записаться» or
    a cancel rebuilt the card); `split_action` reads it."""
    if flt == WHOLE_LIST:
        return name
    return f"{name}.{flt.kind}.{flt.month}.{flt.page}"


def split_action(action: str) -> tuple[str, ListFilter]:
    """The name of a card's action and the list its «« К списку» shows: the one in
    `card_action`'s payload, when valid (a forged one gives the whole list)."""
    name, *parts = action.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts[1:]):
        return name, WHOLE_LIST
    kind, month, page = parts[0], int(parts[1]), int(parts[2])
    valid_month = month == 0 or (190001 <= month <= 299912 and 1 <= month % 100 <= 12)
    if (kind and kind not in KIND_LABELS) or not valid_month or page > MAX_PAGE:
        return name, WHOLE_LIST
    return name, ListFilter(kind, month, page)


def meeting_in(event: Event, span: tuple[datetime, datetime], now: datetime) -> datetime:
    """The event's meeting under way or ahead within `span` (what `EventRepo.upcoming(
    between=…)` found it by): a workshop listed for 22 December shows 22 December, not its
    first day; on a day of its meeting under way, that meeting, as the list shows it."""
    return next_meeting(event, now, span)


def month_label(ym: int) -> str:
    """«Январь 2027»: with the year always, so around New Year no month reads ambiguous."""
    return f"{MONTHS_NOMINATIVE[ym % 100 - 1].capitalize()} {ym // 100}"


async def list_view(
    repo: Repositories, flt: ListFilter, now: datetime, tz: ZoneInfo, *,
    new_button: bool = False, viewer: int | None = None,
) -> tuple[str, Keyboard]:  # fmt: skip
    """One page (a message is edited page by page: a growing list would outgrow the limit);
    `new_button`: staff who can create an event from here get «➕ Новое мероприятие», and
    each line says how many wait instead of offering the queue;
    `viewer`: the user looking, whose own event keeps its line until it ends."""
    between = month_bounds(flt.month, tz) if flt.month else None
    found = await repo.events.upcoming(
        now, flt.kind or None, between, offset=PAGE * flt.page, limit=PAGE + 1, seated=viewer
    )
    shown, has_more = found[:PAGE], len(found) > PAGE
    this_year = now.astimezone(tz).year
    at = [meeting_in(e, between, now) if between else next_meeting(e, now) for e in shown]
    queues = await _queues(repo, shown) if new_button else {}
    lines = [
        list_line(e, tz, this_year, now, when, queues.get(e.id))
        for e, when in zip(shown, at, strict=True)
    ]
    text = "\n\n".join([t.LIST_TITLE, *lines]) if shown else f"{t.LIST_TITLE}\n\n{t.LIST_EMPTY}"
    return text, list_buttons(shown, tz, flt, has_more, this_year, new_button=new_button, at=at)


async def _queues(repo: Repositories, shown: Sequence[Event]) -> dict[int, int]:
    """How many wait for each event of a staff page, counted in one query (as on the card)."""
    counts = await EventPages(repo.session).counts([e.id for e in shown])
    return {e.id: counts.get(e.id, {}).get(RegistrationStatus.WAITING, 0) for e in shown}


def list_buttons(
    events: Sequence[Event],
    tz: ZoneInfo,
    flt: ListFilter,
    has_more: bool,
    this_year: int,
    *,
    new_button: bool = False,
    at: Sequence[datetime | None] = (),
) -> Keyboard:
    kind = KIND_LABELS.get(flt.kind, t.BTN_KIND_ALL)
    month = month_label(flt.month) if flt.month else t.BTN_MONTH_ALL
    when = [*at, *[None] * (len(events) - len(at))]
    buttons = [card_button(e, tz, this_year, w, flt) for e, w in zip(events, when, strict=True)]
    buttons += [
        Button(t.BTN_FILTER_KIND.format(value=kind), pack("evf", "kind", flt.kind, flt.month)),
        Button(t.BTN_FILTER_MONTH.format(value=month), pack("evf", "month", flt.kind, flt.month)),
    ]
    nav = [(flt.page - 1, texts.BTN_PREV_PAGE)] if flt.page > 0 else []
    nav += [(flt.page + 1, texts.BTN_MORE_PAGE)] if has_more else []
    buttons += [Button(label, pack("evl", flt.kind, flt.month, page)) for page, label in nav]
    sizes = [1] * len(events) + [2] + ([len(nav)] if nav else [])
    if new_button:
        buttons.append(Button("➕ Новое мероприятие", pack("eva", "new", 0)))
        sizes.append(1)
    return rows(*buttons, per_row=sizes)


def kinds_menu(month: int) -> Keyboard:
    choices = [Button(t.BTN_KIND_ALL, pack("evl", "", month, 0))]
    choices += [Button(label, pack("evl", kind, month, 0)) for kind, label in KIND_LABELS.items()]
    return rows(*choices)


async def months_menu(
    repo: Repositories, kind: str, now: datetime, tz: ZoneInfo, viewer: int | None = None
) -> Keyboard:
    """«Все месяцы» and each month with a meeting ahead of an event of `kind` (a workshop
    under way is not offered under the month of its held first meeting); `viewer`'s own
    workshop in its last meeting counts, as the list shows it to them."""
    upcoming = await repo.events.upcoming(now, kind or None, limit=MONTHS_SCAN, seated=viewer)
    starts = [m.starts_at for e in upcoming for m in e.sessions if not_over(m, now)]
    available = sorted({int(f"{s.astimezone(tz):%Y%m}") for s in starts})
    choices = [Button(t.BTN_MONTH_ALL, pack("evl", kind, 0, 0))]
    choices += [Button(month_label(ym), pack("evl", kind, ym, 0)) for ym in available]
    return rows(*choices)


STATUS_LABELS = {
    RegistrationStatus.REGISTERED: t.STATUS_REGISTERED,
    RegistrationStatus.ATTENDED: t.STATUS_ATTENDED,
    RegistrationStatus.WAITING: "в листе ожидания",
}


MY_PAST_LIMIT = 10  # the latest ended ones: their cards give the participation document


def _my_status(registration: Registration, now: datetime, position: int) -> str:
    status = RegistrationStatus(registration.status)
    if status == RegistrationStatus.REGISTERED and ends_at(registration.event) <= now:
        return t.STATUS_ENDED_UNMARKED
    if status == RegistrationStatus.WAITING and position:  # as the card says it
        return t.STATUS_WAITING.format(position=position)
    return STATUS_LABELS.get(status, q(registration.status))


async def waiting_positions(
    repo: Repositories, registrations: Sequence[Registration]
) -> dict[int, int]:
    """Each waiting registration's place in its queue, by registration id, for «Мои записи»."""
    return {
        r.id: await repo.events.waiting_position(r)
        for r in registrations
        if r.status == RegistrationStatus.WAITING
    }


def my_view(
    registrations: Sequence[Registration],
    tz: ZoneInfo,
    now: datetime,
    positions: Mapping[int, int] | None = None,
) -> tuple[str, Keyboard | None]:
    """«Мои записи»: what is ahead first (soonest first), then the latest ended ones, each
    with its status and a button to its card (where it is cancelled or its proof asked for).
    A turn in a waiting list that never came is left out once the event is over."""
    ahead = sorted(
        (r for r in registrations if ends_at(r.event) > now),
        key=lambda r: next_meeting(r.event, now),
    )  # a workshop under way by its next meeting, not by its held first one
    ended = [
        r
        for r in reversed(registrations)
        if ends_at(r.event) <= now and r.status != RegistrationStatus.WAITING
    ]
    registrations = ahead + ended[:MY_PAST_LIMIT]
    if not registrations:
        return t.MY_EMPTY, None
    this_year = now.astimezone(tz).year
    at = [next_meeting(r.event, now) for r in registrations]
    lines = [
        t.MY_LINE.format(
            when=short_when(when, tz, this_year),
            meeting=meeting_note(r.event, when) if ends_at(r.event) > now else "",
            title=q(r.event.title),
            status=_my_status(r, now, (positions or {}).get(r.id, 0)),
        )
        for r, when in zip(registrations, at, strict=True)
    ]
    shown = zip(registrations, at, strict=True)
    buttons = rows(*(card_button(r.event, tz, this_year, when) for r, when in shown))
    return "\n\n".join([t.MY_TITLE, *lines]), buttons


def staff_card_actions(event: Event, now: datetime) -> list[tuple[str, str]]:
    """Staff buttons under a card (action, label); their handlers re-check the role. Closed
    registration opens again by the rule the panel uses too (editing.reopen_refusal). Once
    the event has begun (or signup has shut, for «Анонсировать») the buttons whose handler
    would only refuse are not shown: no announcement, no closing, no calling off."""
    buttons = [("people", "👥 Участники"), ("xlsx", "📥 Excel")]
    if event.status != EventStatus.CANCELLED:  # nobody attends an event called off
        buttons += [("attend", "☑️ Присутствие"), ("edit", "✏️ Изменить")]
    if open_for_signup(event, now):  # the announcement's «Записаться» must lead somewhere
        buttons.append(("announce", "📣 Анонсировать"))
    if event.status == EventStatus.PUBLISHED and now < event.starts_at:
        buttons.append(("close", "🔒 Закрыть запись"))
    elif editing.reopen_refusal(event, now) is None:
        buttons.append(("reopen", "🔓 Открыть запись"))
    if editing.cancel_refusal(event, now) is None:
        buttons.append(("cancel", "🚫 Отменить мероприятие"))
    return buttons


def card_buttons(
    event: Event,
    registration: Registration | None,
    open_for_signup: bool,
    staff: Sequence[tuple[str, str]] = (),
    *,
    started: bool = False,
    back: ListFilter = WHOLE_LIST,
) -> Keyboard:
    """The teacher's buttons for their registration, then `staff` actions (`eva:…`); once the
    event has `started` or been called off, a registration is no longer cancelled nor put in
    a calendar. «« К списку» shows the list `back` (the one the card was opened from)."""
    status = registration.status if registration else RegistrationStatus.CANCELLED
    buttons: list[Button] = []
    holds = status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)
    live = not started and event.status != EventStatus.CANCELLED
    if holds and live:
        waiting = status == RegistrationStatus.WAITING
        label = t.BTN_LEAVE_WAITLIST if waiting else t.BTN_CANCEL_REG
        buttons.append(Button(label, pack("ev", card_action(back, "cancel"), event.id)))
        if status == RegistrationStatus.REGISTERED:
            buttons.append(Button(t.BTN_ICS, pack("ev", "ics", event.id)))
    elif status == RegistrationStatus.ATTENDED and event.status != EventStatus.CANCELLED:
        buttons.append(Button(t.BTN_PROOF, pack("ev", "proof", event.id)))
    elif open_for_signup and not holds:
        label = t.BTN_REGISTER if event.seats_left > 0 else t.BTN_WAITLIST
        buttons.append(Button(label, pack("ev", card_action(back, "reg"), event.id)))
    buttons += [Button(label, pack("eva", action, event.id)) for action, label in staff]
    buttons.append(Button(t.BTN_TO_LIST, pack("evl", back.kind, back.month, back.page)))
    return rows(*buttons)
