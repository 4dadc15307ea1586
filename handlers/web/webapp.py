"""The panel as a Telegram Mini App: sign-in by Telegram's `initData` instead of a link.

The staff-only menu button (handlers/tg/staff_menu.py) opens GET /web/webapp, whose page reads
the initData Telegram puts in the address's fragment and POSTs it here. The data is checked
with aiogram's `safe_parse_webapp_init_data` against the bot token (HMAC, so no one else can
make it), must be recent, and its user must be staff now; then a panel session opens, under
a cookie Telegram Web's frame sends back (handlers/web/auth.py, set_app_session_cookie).
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp_jinja2
from aiogram.utils.web_app import safe_parse_webapp_init_data
from aiohttp import web

from bot.core.config import SettingsError
from bot.services.staff import web_sessions
from handlers.web.auth import set_app_session_cookie
from handlers.web.context import CLOCK, ROSTER, SETTINGS, repo

MAX_AGE = timedelta(hours=1)  # initData is made when the Mini App opens; the page posts at once
PATH = "/web/webapp"


async def page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("webapp.html", request, {})


async def sign_in(request: web.Request) -> web.Response:
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    form = await request.post()
    raw = form.get("init_data")
    try:
        token = settings.require_token()
        data = safe_parse_webapp_init_data(token, raw if isinstance(raw, str) else "")
    except (SettingsError, ValueError):
        raise web.HTTPForbidden(text="Данные Telegram не прошли проверку.") from None
    if data.user is None or now - data.auth_date > MAX_AGE:
        raise web.HTTPForbidden(text="Данные Telegram устарели: откройте панель заново.")
    if not await request.app[ROSTER].is_staff(data.user.id, repo(request)):
        raise web.HTTPForbidden(text="Веб-панель только для сотрудников МОЦ.")
    name = " ".join(p for p in (data.user.first_name, data.user.last_name) if p)
    opened = await web_sessions.open_session(repo(request), data.user.id, name, now)
    response = web.json_response({"next": "/web/tickets"})
    set_app_session_cookie(response, opened)
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/webapp", page)
    app.router.add_post("/webapp", sign_in)
