"""«Сотрудники»: who has staff rights (ADMIN_IDS), read only for now; adding and removing
staff without a restart is the next slice of the panel (issue 14)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from handlers.web.context import CLOCK, SETTINGS, page, repo


async def staff_list(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    ids = sorted(settings.admin_ids)
    known = {user.id: user for user in await repo(request).users.many(ids)}
    signed_in = await repo(request).web.signed_in(request.app[CLOCK].now())
    people = [(staff_id, known.get(staff_id), staff_id in signed_in) for staff_id in ids]
    values = page(request, people=people, staff_chat=settings.staff_chat_id)
    return aiohttp_jinja2.render_template("staff.html", request, values)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/staff", staff_list)
