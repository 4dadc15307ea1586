"""What the «Мероприятия» pages share: the notice after a redirect, the event of a URL and the
page asking to confirm an action."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.core.markup import fill
from bot.texts import web_events as t
from handlers.web.context import id_or_404, page, repo
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


def confirm_page(
    request: web.Request, event: Event, question: str, action: str, button: str
) -> web.Response:
    """A plain page asking «Да» once more (no script): its form posts `sure=yes` to `action`."""
    values = page(
        request, heading=t.CONFIRM_HEADING, subject=f"№{event.id} · {event.title}",
        question=question, action=action, button=button,
        back=f"/web/events/{event.id}", back_label=t.CONFIRM_BACK,
    )  # fmt: skip
    return aiohttp_jinja2.render_template("confirm.html", request, values)
