"""«Обращения»: the list by status, a ticket's thread, answer, close and bulk close.

Answers and closes go through bot.services.tickets.desk, i.e. the same delivery to the
parent as a reply in the staff chat. After a POST the page redirects (no resubmit on reload)
with a fixed notice key, never with user text in the URL.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.core.ids import channel_of
from bot.services.tickets import desk
from bot.services.tickets.posting import staff_targets
from bot.texts import web as t
from bot.texts.chats import CHANNEL_TITLES
from handlers.web.context import (
    MESSENGER,
    SETTINGS,
    id_or_404,
    int_or_none,
    page,
    repo,
    staff,
)
from storage.models import TicketStatus

STATUSES = {
    TicketStatus.OPEN: "Открытые",
    TicketStatus.ANSWERED: "Отвеченные",
    TicketStatus.CLOSED: "Закрытые",
}
NOTICES = {
    "sent": "Ответ отправлен в {channel}.",
    "unsent": "Ответ сохранён, но не доставлен: пользователь недоступен.",
    "empty": "Пустой ответ не отправлен.",
    "closed": "Закрыто обращений: {n}.",
    "none": "Ничего не выбрано.",
}
PAGE_SIZE = 50


def _status(raw: str | None) -> TicketStatus:
    try:
        return TicketStatus(raw or TicketStatus.OPEN)
    except ValueError:
        return TicketStatus.OPEN


def _notice(request: web.Request, channel: str = "") -> str | None:
    """The fixed text for `?done=`; `channel` names the asker's messenger (MAX or Telegram)."""
    key = request.query.get("done", "")
    count = request.query.get("n", "0")
    if key not in NOTICES:
        return None
    return NOTICES[key].format(n=int(count) if count.isdigit() else 0, channel=channel)


async def _staff_chats(request: web.Request) -> list[int]:
    """Where tickets are posted (the staff chat, or every admin): told of the panel's work."""
    return await staff_targets(request.app[SETTINGS], repo(request))


def _ticket_id(request: web.Request) -> int:
    return id_or_404(request.match_info["id"])


async def ticket_list(request: web.Request) -> web.Response:
    status = _status(request.query.get("status"))
    counts = await repo(request).tickets.count_by_status()
    pages = max(1, -(-counts.get(status.value, 0) // PAGE_SIZE))
    raw = request.query.get("page", "1")
    number = min(int_or_none(raw) or 1, pages)
    offset = (number - 1) * PAGE_SIZE
    tickets = await repo(request).tickets.list_by_status(status, PAGE_SIZE, offset)
    channels = {t.id: CHANNEL_TITLES[channel_of(t.user_id)] for t in tickets}  # where they wrote
    values = page(
        request, tickets=tickets, status=status.value, statuses=STATUSES, counts=counts,
        notice=_notice(request), page_number=number, pages=pages, channels=channels,
    )  # fmt: skip
    return aiohttp_jinja2.render_template("tickets.html", request, values)


async def ticket_view(request: web.Request) -> web.Response:
    return await _render(request, _ticket_id(request))


async def _render(
    request: web.Request, ticket_id: int, typed: str = "", error: str | None = None
) -> web.Response:
    """The ticket's page; `typed` and `error`: an answer sent back to its author (too long, or
    a colleague answered meanwhile), kept in the form so nothing typed is lost."""
    ticket = await repo(request).tickets.get(ticket_id)
    if ticket is None:
        raise web.HTTPNotFound(text="Обращение не найдено.")
    channel = CHANNEL_TITLES[channel_of(ticket.user_id)]  # the answer goes where they asked
    values = page(
        request, ticket=ticket, statuses=STATUSES, channel=channel, typed=typed, error=error,
        notice=_notice(request, channel), limit=desk.ANSWER_LIMIT,
        seen=sum(m.from_staff for m in ticket.messages),
    )  # fmt: skip
    status = 400 if error == t.WEB_ANSWER_TOO_LONG else 200
    return aiohttp_jinja2.render_template("ticket.html", request, values, status=status)


async def answer(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    form = await request.post()
    text = str(form.get("text", "")).strip()
    back = f"/web/tickets/{ticket_id}"
    if not text:
        raise web.HTTPSeeOther(f"{back}?done=empty")
    if len(text) > desk.ANSWER_LIMIT:  # never cut silently: the parent would get half
        return await _render(request, ticket_id, text, t.WEB_ANSWER_TOO_LONG)
    seen = int_or_none(str(form.get("seen", "")))
    ticket = await repo(request).tickets.get(ticket_id)
    if ticket is not None and seen is not None and desk.answered_meanwhile(ticket, seen, text):
        return await _render(request, ticket_id, text, t.WEB_ANSWERED_MEANWHILE)
    person = staff(request)
    delivered = await desk.answer(
        request.app[MESSENGER], repo(request), ticket_id, (person.staff_id, person.name),
        text, staff_chats=await _staff_chats(request), seen=seen,
    )  # fmt: skip
    if delivered is None:
        raise web.HTTPNotFound(text="Обращение не найдено.")
    raise web.HTTPSeeOther(f"{back}?done={'sent' if delivered else 'unsent'}")


async def close_one(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    closed = await desk.close(
        request.app[MESSENGER], repo(request), [ticket_id],
        staff_name=staff(request).name, staff_chats=await _staff_chats(request),
    )  # fmt: skip
    raise web.HTTPSeeOther(f"/web/tickets/{ticket_id}?done=closed&n={closed}")


async def close_many(request: web.Request) -> web.Response:
    form = await request.post()
    ids = sorted({n for v in form.getall("id", []) if (n := int_or_none(v)) is not None})
    if not ids:
        raise web.HTTPSeeOther("/web/tickets?done=none")
    closed = await desk.close(
        request.app[MESSENGER], repo(request), ids,
        staff_name=staff(request).name, staff_chats=await _staff_chats(request),
    )  # fmt: skip
    raise web.HTTPSeeOther(f"/web/tickets?done=closed&n={closed}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tickets", ticket_list)
    app.router.add_post("/tickets/close", close_many)
    app.router.add_get("/tickets/{id}", ticket_view)
    app.router.add_post("/tickets/{id}/answer", answer)
    app.router.add_post("/tickets/{id}/close", close_one)
