"""Importing events from an uploaded file (.csv, .xlsx, .yaml) and exporting the plan ahead in
the same layout: the bulk import of bot.services.events.import_files, all or nothing, every
problem shown with its line; a row naming an event already there updates it, with the notices
of the panel's own edit (bot.services.events.reimport)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.services.events import reimport
from bot.services.events.exporting import ahead, events_csv, events_xlsx
from bot.services.events.import_files import parse_events_file
from bot.services.import_errors import ImportErrors
from handlers.web.context import CLOCK, SETTINGS, page, repo, staff

ACCEPT = ".csv,.xlsx,.yaml,.yml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(
    request: web.Request, errors: list[str], status: int = 200, dry: list[str] | None = None
) -> web.Response:
    values = page(request, errors=errors, accept=ACCEPT, dry=dry or [])
    return aiohttp_jinja2.render_template("events_import.html", request, values, status=status)


async def import_form(request: web.Request) -> web.Response:
    return _page(request, [])


async def upload(request: web.Request) -> web.Response:
    posted = await request.post()
    file, dry_run = posted.get("file"), posted.get("dry_run") == "1"
    if not isinstance(file, web.FileField):
        return _page(request, ["Выберите файл."], status=400)
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    try:
        drafts = parse_events_file(file.filename, file.file.read(), settings.tz, now)
    except ImportErrors as exc:
        return _page(request, exc.errors, status=400)
    try:
        done = await reimport.apply(
            repo(request), settings, now, drafts, staff(request).staff_id, dry_run
        )
    except ImportErrors as exc:
        return _page(request, exc.errors, status=400)
    if dry_run:  # nothing written: what the same file would do, to upload it again
        return _page(request, [], dry=reimport.report_lines(done, dry_run=True))
    counts = f"n={len(done.new)}&u={len(done.updated)}&m={len(done.unchanged)}"
    raise web.HTTPSeeOther(f"/web/events?done=imported&{counts}")


KINDS = {"csv": ("text/csv; charset=utf-8", events_csv), "xlsx": (XLSX, events_xlsx)}


async def export(request: web.Request) -> web.Response:
    """The plan ahead in the import's layout, to edit in Excel and upload here again."""
    suffix = request.match_info["suffix"]
    mime, write = KINDS[suffix]
    events = ahead(await repo(request).events.all(), request.app[CLOCK].now())
    return web.Response(
        body=write(events, request.app[SETTINGS].tz), content_type=mime.split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="plan.{suffix}"'},
        charset="utf-8" if suffix == "csv" else None,
    )  # fmt: skip


def add_routes(app: web.Application) -> None:
    app.router.add_get("/events/import", import_form)
    app.router.add_post("/events/import", upload)
    app.router.add_get(r"/events/export.{suffix:csv|xlsx}", export)
