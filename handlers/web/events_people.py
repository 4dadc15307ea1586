"""An event's page for staff: its participants with the waiting list, attendance marks, the
Excel export, closing registration and cancelling it.

The people, their order, the export rows and the attendance rule (not before the event begins)
come from bot.services.events.attendance, as in the bot; the workbook is the bot's exporter. A
cancellation queues the bot's notice to everyone registered or waiting.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp_jinja2
from aiohttp import web

from bot.services.events import attendance as roster
from bot.services.events import changes, editing
from bot.services.reports.exports import participants_csv, participants_xlsx, status_label
from bot.texts import events_admin as ta
from bot.texts import web_events as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS, STATUS_LABELS
from handlers.web.context import CLOCK, SETTINGS, XLSX, int_or_none, page, repo, staff
from handlers.web.events_shared import confirm_page, load, notice
from storage.models import SEATED, EventStatus, RegistrationStatus

CSV = "text/csv"


async def people(request: web.Request) -> web.Response:
    event = await load(request)
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    found = await roster.people(repo(request), event.id)
    waiting = [p for p in found if p[0].status == RegistrationStatus.WAITING]
    rows = [
        (reg, roster.details(profile), name, status_label(reg.status))
        for reg, profile, name in found
    ]
    values = page(
        request, event=event, rows=rows, waiting=len(waiting), seated=SEATED,
        early=roster.marking_refusal(event, now, settings.tz),
        present=await repo(request).events.present(event.id, now),
        meeting=roster.meeting_when(event, now, settings.tz),
        kinds=KIND_LABELS, formats=FORMAT_LABELS, statuses=STATUS_LABELS,
        schedule=changes.schedule(event, settings), cancelled=event.status == "cancelled",
        deadline=event.registration_deadline,
        reopen=editing.reopen_refusal(event, now) is None,
        notice=notice(request),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("event.html", request, values)


def _seen(values: Sequence[object]) -> dict[int, bool]:
    """The marks the page showed («id:1» ticked, «id:0» not), from its hidden `seen` fields."""
    found: dict[int, bool] = {}
    for value in values:
        reg_id, _, mark = str(value).partition(":")
        if (number := int_or_none(reg_id)) is not None:
            found[number] = mark == "1"
    return found


async def attendance(request: web.Request) -> web.Response:
    """Marks as the form says, for the seated people of this event only (a forged id of
    another event's registration is ignored). Only the boxes staff changed on the page are
    saved: a mark a colleague made meanwhile (in the bot or another tab), or a person who was
    not on the page, is left as it is — an unticked box the page showed unticked says nothing.
    A form without `seen` (an old page) sets every mark as before."""
    event, now = await load(request), request.app[CLOCK].now()
    back = f"/web/events/{event.id}"
    if roster.marking_refusal(event, now, request.app[SETTINGS].tz):
        done = "no_marks" if event.status == EventStatus.CANCELLED else "early"
        raise web.HTTPSeeOther(f"{back}?done={done}")
    form = await request.post()
    ticked = {n for v in form.getall("att", []) if (n := int_or_none(v)) is not None}
    seen = _seen(form.getall("seen", []))
    db = repo(request)
    marked, present = 0, await db.events.present(event.id, now)  # at the meeting under way
    for reg, _, _ in await roster.people(db, event.id):
        if reg.status not in SEATED:
            continue
        attended = reg.id in present
        wanted = reg.id in ticked
        if seen and seen.get(reg.id, wanted) == wanted:  # not changed on the page: as it is
            wanted = attended
        if wanted != attended:
            await db.events.mark_attended(reg.id, wanted, now)
        marked += wanted
    await db.commit()
    raise web.HTTPSeeOther(f"{back}?done=marked&n={marked}")


async def export(request: web.Request) -> web.Response:
    """The bot's Excel or CSV list (`.xlsx` / `.csv` in the address)."""
    event = await load(request)
    ext = request.match_info["ext"]
    rows = await roster.export_rows(
        repo(request), event, await roster.people(repo(request), event.id)
    )
    build = participants_xlsx if ext == "xlsx" else participants_csv
    data = build(event, rows, request.app[SETTINGS].tz)
    name = ta.FILE_PEOPLE.format(id=event.id, ext=ext)
    return web.Response(
        body=data, content_type=XLSX if ext == "xlsx" else CSV,
        charset="utf-8" if ext == "csv" else None,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


async def cancel(request: web.Request) -> web.Response:
    event = await load(request)
    back = f"/web/events/{event.id}"
    if (await request.post()).get("sure") != "yes":
        raise web.HTTPSeeOther(f"{back}?done=confirm")
    db, now = repo(request), request.app[CLOCK].now()
    if now >= event.starts_at and event.status != EventStatus.CANCELLED:
        raise web.HTTPSeeOther(f"{back}?done=held")  # as editing.cancel_refusal in the bot
    if not await db.events.set_status(event.id, EventStatus.CANCELLED):
        raise web.HTTPSeeOther(f"{back}?done=already_cancelled")
    event.status, event.updated_at = EventStatus.CANCELLED, now
    settings, author = request.app[SETTINGS], staff(request).staff_id
    await changes.queue_cancellation(db, settings, author, now, event)
    told = await changes.audience_size(db, event.id)  # people told, not broadcasts queued
    await db.commit()
    raise web.HTTPSeeOther(f"{back}?done=cancelled&n={told}")


async def close_ask(request: web.Request) -> web.Response:
    """«Закрыть запись?»: a page of its own, so one stray tap does not close it."""
    event = await load(request)
    if event.status != EventStatus.PUBLISHED:
        raise web.HTTPSeeOther(f"/web/events/{event.id}?done=not_open")
    action = f"/web/events/{event.id}/close"
    return confirm_page(request, event, t.CLOSE_ASK, action, t.CLOSE_BUTTON)


async def close(request: web.Request) -> web.Response:
    """Registration closed, the event still happens (as «Закрыть запись» in the bot)."""
    event = await load(request)
    back = f"/web/events/{event.id}"
    if (await request.post()).get("sure") != "yes":  # an old page's one-tap button: ask first
        raise web.HTTPSeeOther(f"{back}/close")
    if not await editing.close(repo(request), event, request.app[CLOCK].now()):
        raise web.HTTPSeeOther(f"{back}?done=not_open")
    raise web.HTTPSeeOther(f"{back}?done=closed")


async def reopen(request: web.Request) -> web.Response:
    """Registration open again after staff closed it, by the bot's rule (editing.reopen)."""
    event, now = await load(request), request.app[CLOCK].now()
    back = f"/web/events/{event.id}"
    if not await editing.reopen(repo(request), event, now):
        refusal = editing.reopen_refusal(event, now)
        started = refusal == ta.REOPEN_STARTED
        raise web.HTTPSeeOther(f"{back}?done={'reopen_started' if started else 'not_closed'}")
    raise web.HTTPSeeOther(f"{back}?done=reopened")


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/events/{id:\d+}", people)
    app.router.add_post(r"/events/{id:\d+}/attendance", attendance)
    app.router.add_get(r"/events/{id:\d+}/participants.{ext:xlsx|csv}", export)
    app.router.add_post(r"/events/{id:\d+}/cancel", cancel)
    app.router.add_get(r"/events/{id:\d+}/close", close_ask)
    app.router.add_post(r"/events/{id:\d+}/close", close)
    app.router.add_post(r"/events/{id:\d+}/reopen", reopen)
