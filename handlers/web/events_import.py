"""Importing events from an uploaded file (.csv, .xlsx, .yaml): the bulk import of
bot.services.events.importing, all or nothing, every problem shown with its line."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.services.events.importing import import_events, parse_events_file
from bot.services.import_errors import ImportErrors
from handlers.web.context import CLOCK, SETTINGS, page, repo, staff

ACCEPT = ".csv,.xlsx,.yaml,.yml"


def _page(request: web.Request, errors: list[str], status: int = 200) -> web.Response:
    values = page(request, errors=errors, accept=ACCEPT)
    return aiohttp_jinja2.render_template("events_import.html", request, values, status=status)


async def import_form(request: web.Request) -> web.Response:
    return _page(request, [])


async def upload(request: web.Request) -> web.Response:
    file = (await request.post()).get("file")
    if not isinstance(file, web.FileField):
        return _page(request, ["Выберите файл."], status=400)
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    try:
        drafts = parse_events_file(file.filename, file.file.read(), settings.tz, now)
    except ImportErrors as exc:
        return _page(request, exc.errors, status=400)
    done = await import_events(repo(request).events, drafts, staff(request).staff_id)
    await repo(request).commit()
    said = f"imported&n={len(done.ids)}" if done.ids else f"imported_none&n={len(done.existing)}"
    raise web.HTTPSeeOther(f"/web/events?done={said}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/events/import", import_form)
    app.router.add_post("/events/import", upload)
