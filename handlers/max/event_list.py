"""The events list in MAX with Telegram's type and month filters and paging, «Мои записи» and
the /profile door — over bot.services.events.listing, which builds both messengers' views.

Payloads are Telegram's CallbackData strings (`evl:kind:month:page`, `evf:what:kind:month`),
checked here as EventListCb / EventFilterCb check them (a forged one is answered as stale).
A press turns the pressed message into the next page or menu, as Telegram edits it.
"""

from __future__ import annotations

from bot import texts
from bot.services.events.asked import asked, asked_view
from bot.services.events.listing import (
    ListFilter,
    kinds_menu,
    list_view,
    months_menu,
    my_view,
    waiting_positions,
)
from bot.texts import events as t
from bot.texts import max as max_texts
from bot.texts.events_labels import KIND_LABELS
from handlers.max import profile, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.event_doors import MENU_PREFIX, events_button
from handlers.max.people import Visit, visit

MAX_PAGE = 10_000  # as handlers.tg.callbacks.Page
COMMANDS = {
    "/events": "events", texts.BTN_EVENTS: "events",
    "/my_events": "my", texts.BTN_MY_EVENTS: "my",
    "/profile": "profile", texts.BTN_PROFILE: "profile",
}  # fmt: skip
BY_NAME = {"events": "events", "my_events": "my", "profile": "profile"}  # «/events x»


def year_month(raw: str) -> int | None:
    """0 (all months) or a valid YYYYMM; None for anything else."""
    value = updates.number(raw) if len(raw) <= 6 else None
    if value is None:
        return None
    if value and not (190001 <= value <= 299912 and 1 <= value % 100 <= 12):
        return None
    return value


def list_filter(kind: str, month: str, page: str = "0") -> ListFilter | None:
    ym = year_month(month)
    if kind not in ("", *KIND_LABELS) or ym is None:
        return None
    number = updates.number(page)
    if number is None or number > MAX_PAGE:
        return None
    return ListFilter(kind, ym, number)


async def show_list(v: Visit, flt: ListFilter, *, pressed: bool) -> None:
    now, tz = v.ctx.clock.now(), v.ctx.settings.tz
    text, buttons = await list_view(v.repo, flt, now, tz, new_button=v.is_admin, viewer=v.uid)
    if pressed:
        await v.replace(text, buttons)
    else:
        await v.say(text, buttons)


async def show_filter(v: Visit, what: str, flt: ListFilter) -> None:
    if what == "kind":
        await v.replace(t.PICK_KIND, kinds_menu(flt.month))
    else:
        now, tz = v.ctx.clock.now(), v.ctx.settings.tz
        menu = await months_menu(v.repo, flt.kind, now, tz, viewer=v.uid)
        await v.replace(t.PICK_MONTH, menu)


async def show_mine(v: Visit) -> None:
    now = v.ctx.clock.now()
    registrations = await v.repo.events.for_user(v.uid, now)
    positions = await waiting_positions(v.repo, registrations)
    text, buttons = my_view(registrations, v.ctx.settings.tz, now, positions)
    if not registrations:  # «Откройте «Мероприятия»»: MAX has no keyboard with it, so here it is
        buttons = ((events_button(),),)
    await v.say(text, buttons)


async def asked_events(v: Visit, text: str) -> bool:
    """«15.12», «мероприятия в декабре», «хочу на семинар» typed: that day's or month's
    events or the list (True if shown), as Telegram's handlers/events.py; with a ticket open
    it is the asker's."""
    now, tz = v.ctx.clock.now(), v.ctx.settings.tz
    what = asked(text, now, tz, v.user.role)
    if what is None or await v.repo.tickets.open_for_user(v.uid):
        return False
    await v.say(*await asked_view(v.repo, what, now, tz, v.uid))
    return True


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix not in ("evl", "evf", MENU_PREFIX):
        return False
    parts = rest.split(":")
    async with visit(ctx, update) as v:
        if v is None:
            return False
        if prefix == MENU_PREFIX and rest in ("events", "my"):
            await updates.answer(ctx, update)  # the menu stays; the view comes below it
            await v.clear_state()
            await (show_mine(v) if rest == "my" else show_list(v, ListFilter(), pressed=False))
        elif prefix == "evl" and len(parts) == 3 and (flt := list_filter(*parts)):
            await show_list(v, flt, pressed=True)
        elif (
            len(parts) == 3 and parts[0] in ("kind", "month") and (flt := list_filter(*parts[1:]))
        ):
            await show_filter(v, parts[0], flt)
        else:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)
    return True


async def commands(ctx: MaxContext, update: JsonDict) -> bool:
    """/events, /my_events, /profile or the same words of Telegram's menu."""
    what = COMMANDS.get(updates.text(update).strip())
    if not updates.is_dialog(update) or what is None:
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        await open_view(v, what)
    return True


async def open_view(v: Visit, what: str) -> None:
    """The events list, one's registrations or the profile (`COMMANDS`' values)."""
    await v.clear_state()
    if what == "events":
        await show_list(v, ListFilter(), pressed=False)
    elif what == "my":
        await show_mine(v)
    else:
        await profile.show(v)


def register(routes: Routes) -> None:
    routes.add("message_created", commands)
    routes.add("message_callback", callbacks)
