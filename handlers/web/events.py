"""«Мероприятия»: the list (upcoming or past, by kind, a page at a time), creating and editing
an event.

The form is checked by bot.services.events.whole_form: the bot dialog's checks field by field,
the problems shown next to each field. An edit that moves the time or the place queues the same
notice to the participants as the bot's edit (bot.services.events.changes; the broadcast worker
delivers it to Telegram or MAX); more seats move the waiting list up at once, told through the
app's messenger. After a POST the page redirects with a fixed notice key, never user text.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

import aiohttp_jinja2
from aiohttp import web

from bot.core.dates import zone_words
from bot.services.events import changes, form, whole_form
from bot.services.events.registration import fill_seats, notify_promoted
from bot.texts import web_events as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS, STATUS_LABELS
from handlers.web import events_import, events_people
from handlers.web.context import CLOCK, MESSENGER, SETTINGS, int_or_none, page, repo, staff
from handlers.web.events_shared import load, notice
from storage.models import Event, EventStatus
from storage.repositories.event_pages import EventPages

PAGE_SIZE = 20
KEPT_DRAFTS = 1000
# a new-event form's one-time token → the event it made (0 while being made): a double click
# or a resent form makes one event, as the bot's «Опубликовать» under its per-user lock
DRAFTS = web.AppKey("panel_event_drafts", dict[str, int])
WHEN = {"upcoming": "Предстоящие", "past": "Прошедшие"}


async def event_list(request: web.Request) -> web.Response:
    when = request.query.get("when", "upcoming")
    when = when if when in WHEN else "upcoming"
    kind = request.query.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    number = int_or_none(request.query.get("page")) or 1
    pages = EventPages(repo(request).session)
    found = await pages.page(
        request.app[CLOCK].now(), past=when == "past", kind=kind or None,
        offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1,
    )  # fmt: skip
    if not found and number > 1:  # an old link past the last page: the last one there is
        total = await pages.total(request.app[CLOCK].now(), past=when == "past", kind=kind or None)
        last = max(1, -(-total // PAGE_SIZE))
        query = {**request.query, "page": str(last)}
        raise web.HTTPFound(request.rel_url.with_query(query))
    shown = list(found[:PAGE_SIZE])
    values = page(
        request, events=shown, counts=await pages.counts([e.id for e in shown]), when=when,
        whens=WHEN, kind=kind, kinds=KIND_LABELS, number=number,
        more=len(found) > PAGE_SIZE, statuses=STATUS_LABELS, notice=notice(request),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("events.html", request, values)


def _form(
    request: web.Request, values: Mapping[str, str], problems: Mapping[str, str],
    event: Event | None = None, status: int = 200, draft: str = "",
    seen: Mapping[str, str] | None = None, conflict: bool = False, twin: int | None = None,
) -> web.Response:  # fmt: skip
    """`seen`: the event's fields as this form first showed them (hidden), so a save can tell
    whether someone else changed the event meanwhile."""
    settings = request.app[SETTINGS]
    zone = zone_words(settings.tz, request.app[CLOCK].now())
    context = page(
        request, event=event, values=values, problems=problems, kinds=KIND_LABELS,
        formats=FORMAT_LABELS, zone=zone, draft=draft, seen=seen or {},
        conflict=t.CONFLICT if conflict else "", twin=twin,
        limits={"title": form.TITLE_LIMIT, "description": form.DESCRIPTION_LIMIT},
    )  # fmt: skip
    return aiohttp_jinja2.render_template("event_form.html", request, context, status=status)


def _posted(posted: Mapping[str, object]) -> dict[str, str]:
    return {name: str(posted.get(name, "")) for name in whole_form.FIELDS}


async def new_form(request: web.Request) -> web.Response:
    draft = secrets.token_urlsafe(12)
    return _form(request, {"kind": "seminar", "format": "offline"}, {}, draft=draft)


async def create(request: web.Request) -> web.Response:
    posted = await request.post()
    values, draft = _posted(posted), str(posted.get("draft", ""))
    drafts = request.app[DRAFTS]
    if draft in drafts:  # checked and taken below with no await between: one event per form
        made = drafts[draft]
        raise web.HTTPSeeOther(f"/web/events/{made}?done=again" if made else "/web/events")
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    author = staff(request).staff_id
    event, starts, problems = whole_form.new_event(values, settings.tz, now, author)
    if event is None:
        return _form(request, values, problems, status=400, draft=draft)
    if (twin := await _published_twin(request, event.title, min(starts))) is not None:
        problems = {"title": t.ALREADY_EXISTS.format(n=twin.id)}
        return _form(request, values, problems, status=409, draft=draft, twin=twin.id)
    if draft:
        drafts[draft] = 0
    try:
        await repo(request).events.add(event, starts)
        await repo(request).commit()
    except BaseException:
        drafts.pop(draft, None)
        raise
    if draft:
        drafts[draft] = event.id
    while len(drafts) > KEPT_DRAFTS:
        drafts.pop(next(iter(drafts)))
    raise web.HTTPSeeOther(f"/web/events/{event.id}?done=created&n={event.id}")


async def _published_twin(request: web.Request, title: str, starts: datetime) -> Event | None:
    """An event of this title at this time, not cancelled: «Назад» after «Опубликовать» shows
    the form filled again (the browser restores it, with a new form token), and pressing it
    once more published the same event twice. The importers skip such a twin too."""
    return await repo(request).events.same(title, starts, live=True)


async def edit_form(request: web.Request) -> web.Response:
    event = await load(request)
    if event.status == EventStatus.CANCELLED:
        raise web.HTTPSeeOther(f"/web/events/{event.id}?done=cancelled_event")
    values = whole_form.texts_of(event, request.app[SETTINGS].tz)
    return _form(request, values, {}, event, seen=values)


async def save(request: web.Request) -> web.Response:
    event = await load(request)
    if event.status == EventStatus.CANCELLED:
        raise web.HTTPSeeOther(f"/web/events/{event.id}?done=cancelled_event")
    settings, now, db = request.app[SETTINGS], request.app[CLOCK].now(), repo(request)
    posted = await request.post()
    values = _posted(posted)
    seen = {n: str(posted[f"seen_{n}"]) for n in whole_form.EDITABLE if f"seen_{n}" in posted}
    shown, notes = whole_form.conflicts(event, seen, values, settings.tz)
    if notes:
        now_seen = whole_form.texts_of(event, settings.tz)
        return _form(request, shown, notes, event, status=409, seen=now_seen, conflict=True)
    before, calendar = changes.meetings(event), changes.calendar_view(event)
    marked = await db.events.marked_meetings(event.id)
    fields, notify, problems = whole_form.edit_event(event, values, settings.tz, now, marked)
    if problems:
        shown = {**whole_form.texts_of(event, settings.tz), **values}
        shown.update(kind=event.kind, format=event.format)
        return _form(request, shown, problems, event, status=400, seen=seen)
    if not fields:
        raise web.HTTPSeeOther(f"/web/events/{event.id}?done=unchanged")
    event.updated_at = now
    changes.mark_revision(event, calendar)
    author = staff(request).staff_id
    ids = await changes.queue_change(db, settings, author, now, event, notify, before)
    await db.commit()
    if "capacity" in fields:  # more seats: the waiting list moves up at once
        promoted = await fill_seats(db, event, now)
        await db.commit()
        for registration in promoted:
            await notify_promoted(request.app[MESSENGER], registration, event, settings, now)
    told = await changes.audience_size(db, event.id) if ids else 0  # people, not broadcasts
    done = f"saved_notified&n={told}" if ids else "saved"
    raise web.HTTPSeeOther(f"/web/events/{event.id}?done={done}")


def add_routes(app: web.Application) -> None:
    app[DRAFTS] = {}
    app.router.add_get("/events", event_list)
    app.router.add_get("/events/new", new_form)
    app.router.add_post("/events/new", create)
    events_import.add_routes(app)
    app.router.add_get(r"/events/{id:\d+}/edit", edit_form)
    app.router.add_post(r"/events/{id:\d+}/edit", save)
    events_people.add_routes(app)
