"""МОЦ staff (MAX_ADMIN_IDS) under an event card in MAX: the participant list with its Excel /
CSV export and attendance marks — over bot.services.events.attendance, as
handlers/events_admin/lists.py does in Telegram, with the same payloads (`eva:people:7`,
`ats:<reg>:<page>:<want>` — the mark the button gives; an old list's `att:<reg>:<page>`
flips — and `atp:<event>:<page>`).

The role is checked here on every press: a button forged by anyone else is refused. Editing,
closing and cancelling are handlers.max.event_edit's, creating handlers.max.event_form's,
«📣 Анонсировать» handlers.max.broadcast_compose's.
"""

from __future__ import annotations

from bot.core.markup import fill, q
from bot.services.events import attendance
from bot.texts import events_admin as t
from bot.texts import max as max_texts
from handlers.max import updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff
from storage.models import Event, Registration

ACTIONS = frozenset({"people", "xlsx", "attend"})  # the staff card buttons served here
CARD_ACTIONS = ACTIONS | {"edit", "close", "reopen", "cancel", "announce"}  # every one MAX serves


async def event_or_alert(v: Visit, event_id: int | None) -> Event | None:
    event = await v.repo.events.get(event_id) if event_id else None
    if event is None:
        await updates.answer(v.ctx, v.update, t.EVENT_MISSING)
    return event


async def people(v: Visit, event: Event) -> None:
    """The list as plain text, escaped whole (MaxMessenger splits it under 4000)."""
    await updates.answer(v.ctx, v.update)
    found = await attendance.people(v.repo, event.id)
    text = attendance.people_text(event, found, v.ctx.settings.tz)
    await v.say(q(text), attendance.exports_buttons(event.id))


async def export(v: Visit, event: Event, ext: str) -> None:
    await updates.answer(v.ctx, v.update)
    found = await attendance.people(v.repo, event.id)
    file = await attendance.export_file(v.repo, event, found, ext, v.ctx.settings.tz)
    caption = fill(t.EXPORT_CAPTION, title=event.title)
    await v.send_file(file, caption)


async def attendance_list(v: Visit, event: Event, page: int, *, pressed_list: bool) -> None:
    """A page of toggles: a new message from the card, the same message when paging."""
    tz, now = v.ctx.settings.tz, v.ctx.clock.now()
    if early := attendance.marking_refusal(event, now, tz):
        await updates.answer(v.ctx, v.update, early)
        return
    found = await attendance.people(v.repo, event.id)
    present = await v.repo.events.present(event.id, now)
    text, buttons = attendance.attendance_view(event, found, page, tz, present, now)
    if pressed_list:
        await v.replace(text, buttons)
    else:
        await updates.answer(v.ctx, v.update)
        await v.say(text, buttons)


async def toggle(v: Visit, registration_id: int, page: int, want: bool | None = None) -> None:
    """Set one mark as the button said (None: flip it), then show the page again with it
    (MAX edits the whole message)."""
    tz = v.ctx.settings.tz
    now = v.ctx.clock.now()
    attended, note = await attendance.toggle(v.repo, registration_id, now, tz, want)
    await updates.answer(v.ctx, v.update, note)
    if attended is None:
        return
    registration = await v.repo.session.get(Registration, registration_id)
    event = await v.repo.events.get(registration.event_id) if registration else None
    if event is not None:
        found = await attendance.people(v.repo, event.id)
        present = await v.repo.events.present(event.id, now)
        await v.replace(*attendance.attendance_view(event, found, page, tz, present, now))


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    first, _, second = rest.partition(":")
    if prefix not in ("eva", "att", "ats", "atp") or (
        prefix == "eva" and first not in (*ACTIONS, "csv")
    ):
        return False  # other staff actions: handlers.max.event_edit and event_form
    second, _, want = second.partition(":")

    async def act(v: Visit) -> None:
        page = updates.number(second) if prefix != "eva" else 0
        if prefix == "att" and (reg := updates.number(first)) and page is not None:
            await toggle(v, reg, page)
        elif prefix == "ats" and (reg := updates.number(first)) and page is not None:
            if want in ("0", "1"):
                await toggle(v, reg, page, want == "1")
            else:
                await updates.answer(ctx, update, max_texts.STALE_BUTTON)
        elif prefix == "atp" and page is not None:
            if event := await event_or_alert(v, updates.number(first)):
                await attendance_list(v, event, page, pressed_list=True)
        elif prefix == "eva":
            if event := await event_or_alert(v, updates.number(second)):
                await staff_action(v, event, first)
        else:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)

    return await as_staff(ctx, update, act)


async def staff_action(v: Visit, event: Event, action: str) -> None:
    if action == "people":
        await people(v, event)
    elif action == "attend":
        await attendance_list(v, event, 0, pressed_list=False)
    else:
        await export(v, event, action)


def register(routes: Routes) -> None:
    routes.add("message_callback", callbacks)
