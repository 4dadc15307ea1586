"""What the «Мероприятия» pages share: the notice after a redirect and the event of a URL."""

from __future__ import annotations

from aiohttp import web

from bot.core.markup import fill
from bot.texts import web_events as t
from handlers.web.context import id_or_404, repo
from storage.models import Event


def notice(request: web.Request) -> str | None:
    key = request.query.get("done", "")
    if key not in t.NOTICES:
        return None
    counts = {k: request.query.get(k, "0") for k in ("n", "u", "m")}  # u, m: an import's
    return fill(t.NOTICES[key], **{k: int(v) if v.isdigit() else 0 for k, v in counts.items()})


def event_id(request: web.Request) -> int:
    return id_or_404(request.match_info["id"])


async def load(request: web.Request) -> Event:
    event = await repo(request).events.get(event_id(request))
    if event is None:
        raise web.HTTPNotFound(text="Мероприятие не найдено.")
    return event
