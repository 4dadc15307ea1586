"""The staff web panel: an adapter like handlers/tg and handlers/max, for a browser.

Mounted as a sub-application at /web on the bot's own aiohttp server (the webhook server, or
the one long polling starts), so its middleware never sees the webhook or /metrics. Pages are
rendered on the server with Jinja2 (autoescaped); one small CSS file, no JavaScript build.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.messages import Messenger
from bot.services.faq import FaqService
from bot.services.staff.roster import Roster
from handlers.web import (
    auth,
    broadcasts,
    chats,
    errors,
    events,
    kb,
    report,
    staff,
    summary,
    tickets,
    webapp,
)
from handlers.web.context import (
    CLOCK,
    FAQ,
    KB_SAVING,
    MESSENGER,
    ROSTER,
    SESSIONMAKER,
    SETTINGS,
    FaqSource,
)
from storage.db import SessionMaker

HERE = Path(__file__).parent
STATIC = HERE / "static"
PREFIX = "/web"


def _static_files() -> Handler:
    """The panel's CSS and scripts, by name. Not aiohttp's `add_static`: its 403 for the
    folder itself and its empty 404 for a missing file bypass the panel's Russian error page
    (errors.in_russian); an unknown name here is an ordinary «no such page»."""
    files = {path.name: path for path in STATIC.iterdir() if path.is_file()}

    async def serve(request: web.Request) -> web.StreamResponse:
        path = files.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    return serve


def create_panel(
    settings: Settings,
    sessionmaker: SessionMaker,
    messenger: Messenger,
    clock: Clock,
    *,
    faq: FaqService | None = None,
    roster: Roster | None = None,
) -> web.Application:
    """`faq`, `roster`: the bot's own (Services), so a save or a staff change shows at once."""
    panel = web.Application(middlewares=[errors.in_russian, auth.guard])
    panel[SETTINGS], panel[SESSIONMAKER], panel[MESSENGER], panel[CLOCK] = (
        settings, sessionmaker, messenger, clock,
    )  # fmt: skip
    panel[FAQ] = FaqSource(settings, faq)
    panel[KB_SAVING] = asyncio.Lock()
    panel[ROSTER] = roster or Roster(settings, sessionmaker)
    env = aiohttp_jinja2.setup(
        panel,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local"] = lambda value: value.astimezone(settings.tz).strftime("%d.%m.%Y %H:%M")
    env.globals["channel_of"] = channel_of
    panel.router.add_get("/static/{name}", _static_files(), name="static")
    auth.add_routes(panel)
    tickets.add_routes(panel)
    summary.add_routes(panel)
    staff.add_routes(panel)
    events.add_routes(panel)
    report.add_routes(panel)
    broadcasts.add_routes(panel)
    chats.add_routes(panel)
    kb.add_routes(panel)  # and kb_history's
    webapp.add_routes(panel)
    return panel


def add_panel(
    app: web.Application,
    settings: Settings,
    sessionmaker: SessionMaker,
    messenger: Messenger,
    clock: Clock,
    *,
    faq: FaqService | None = None,
    roster: Roster | None = None,
) -> None:
    """Serve the panel under /web on `app` (a bare /web redirects to its first page); `faq` and
    `roster`: the bot's own when the panel runs in its process, so a change shows at once."""
    app.router.add_get(PREFIX, _to_panel)  # before the sub-application, which takes «/web»
    app.add_subapp(
        PREFIX, create_panel(settings, sessionmaker, messenger, clock, faq=faq, roster=roster)
    )


async def _to_panel(request: web.Request) -> web.StreamResponse:
    """«/web» typed as README and the log name it: the sub-application has no page there,
    and «Не найдено» (without a session: the sign-in page) was all one saw."""
    raise web.HTTPSeeOther(PREFIX + "/")
