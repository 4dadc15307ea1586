"""«Рассылки»: the list, compose with preview and recipient count, a broadcast's live progress
and delivery by chat, cancel.

The page only writes and cancels broadcasts, through broadcasts.service exactly as the bot's
dialog and the CLI do; the running worker notices a due one within its poll interval, sends
it and writes the ledger these pages read. Progress is polled as JSON by static/progress.js.
A photo or document goes with the text (handlers/web/broadcast_upload.py): stored in the
database at the first preview, so every instance and the worker can read it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from bot.services.staff import ack_lists
from bot.services.staff import broadcasts as staff_broadcasts
from bot.texts import broadcasts as tb
from broadcasts import service
from broadcasts.audience import ALL_AUDIENCES
from broadcasts.content import Content
from broadcasts.report import waiting_word
from broadcasts.uploads import FILE_MAX
from handlers.web import broadcast_upload as upload
from handlers.web.broadcast_form import TEXT_MAX, Draft, preview
from handlers.web.context import (
    CLOCK,
    MESSENGER,
    SETTINGS,
    id_or_404,
    int_or_none,
    page,
    repo,
    staff,
)
from storage.models import Broadcast, BroadcastState
from storage.repositories.panel_stats import PanelStatsRepo

LIST_SIZE = 30
DELIVERY_PAGE = 500  # rows of «Доставка по чатам» per page
CHANNELS = {"tg": "Telegram", "max": "MAX"}
LIVE = (BroadcastState.SCHEDULED, BroadcastState.SENDING, BroadcastState.HELD)  # cancellable
NOTICES = {
    "created": "Рассылка создана: бот отправит её в назначенное время.",
    "cancelled": "Рассылка отменена: неотправленные сообщения не уйдут.",
    "cancelled_weekly": (
        "Рассылка отменена: неотправленные сообщения не уйдут, еженедельные повторы тоже "
        "прекращены. Если они ещё нужны, создайте рассылку заново."
    ),
    "already": "Рассылка уже отменена.",
    "late": "Отменить уже нельзя: рассылка завершена.",
}
CONFIRM_HEADING = "Подтвердите действие"
CONFIRM_BACK = "Нет, вернуться"
CANCEL_BUTTON = "Да, отменить рассылку"
CANCEL_ASK = "Отменить рассылку? Сообщения, которые ещё не отправлены, не уйдут."
CANCEL_ASK_WEEKLY = (
    "Отменить рассылку? Сообщения, которые ещё не отправлены, не уйдут, и еженедельные "
    "повторы прекратятся."
)
DELIVERY_LABELS = {
    "pending": "в очереди", "sending": "отправляется", "sent": "доставлено",
    "failed": "ошибка", "blocked": "бот заблокирован или удалён",
}  # fmt: skip


def _id(request: web.Request) -> int:
    return id_or_404(request.match_info["id"])


def _form_values(
    draft: Draft, errors: dict[str, list[str]] | None = None, **values: object
) -> dict[str, object]:
    errors = errors or {}
    return {
        "draft": draft, "audiences": {a: tb.AUDIENCE_LABELS[a] for a in ALL_AUDIENCES},
        "errors": errors, "problems": [p for texts in errors.values() for p in texts],
        "accept": upload.ACCEPT, "file_max": FILE_MAX, "text_max": TEXT_MAX, "twin": None,
        **values,
    }  # fmt: skip


async def _form(request: web.Request) -> tuple[Draft, dict[str, list[str]]]:
    """The draft as typed, its attachment found or stored, and its problems by field."""
    form = await request.post()
    values: dict[str, list[str]] = {}
    for key, value in form.items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    draft = Draft.from_form(values)
    file_problems = await upload.attach(request, draft)
    errors = draft.errors(request.app[SETTINGS].tz, request.app[CLOCK].now())
    if file_problems:
        errors["file"] = file_problems
    return draft, errors


async def broadcast_list(request: web.Request) -> web.Response:
    """Planned ones on top of the first page, then all, newest first, a page at a time: event
    notices are broadcasts too, and a list cut at the last 30 hid a broadcast planned weeks
    ahead from the staff who had to cancel it."""
    session = repo(request).session
    number = int_or_none(request.query.get("page")) or 1
    found = await service.recent(session, LIST_SIZE + 1, (number - 1) * LIST_SIZE)
    planned = await service.scheduled(session) if number == 1 else []
    items = [i for i in found[:LIST_SIZE] if i.id not in {p.id for p in planned}]
    shown = planned + items
    acks = await PanelStatsRepo(session).ack_counts([i.id for i in shown])
    channels = {i.id: await service.counts_by_channel(session, i.id) for i in shown}
    values = page(
        request, items=items, planned=planned, number=number, more=len(found) > LIST_SIZE,
        acks=acks, channels=channels, channel_names=CHANNELS,
        states=tb.STATE_LABELS, notice=NOTICES.get(request.query.get("done", "")),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("broadcasts.html", request, values)


async def compose(request: web.Request) -> web.Response:
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    later = (now + timedelta(hours=1)).astimezone(settings.tz).strftime("%Y-%m-%dT%H:00")
    draft = Draft(audiences=["parents"], at=later)
    values = page(request, **_form_values(draft, shown=None, count=None))
    return aiohttp_jinja2.render_template("broadcast_new.html", request, values)


async def preview_page(request: web.Request) -> web.Response:
    (draft, errors), tz = await _form(request), request.app[SETTINGS].tz
    count = None
    if draft.audiences and not draft.tag_list()[1]:
        count = await service.count_recipients(repo(request).session, draft.target())
    if count == 0:
        errors.setdefault("audience", []).append(service.NOBODY)
    values = _form_values(
        draft, errors, shown=preview(draft.text), count=count,
        moment=None if errors else draft.moment(tz),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("broadcast_new.html", request, page(request, **values))


async def create(request: web.Request) -> web.Response:
    (draft, errors), settings = await _form(request), request.app[SETTINGS]
    made = None if errors else await _twin(request, draft)
    if made is not None:
        errors = {"form": [service.TWIN.format(n=made.id)]}
    if not errors:
        try:
            broadcast = await service.create_broadcast(
                repo(request).session, author_id=staff(request).staff_id,
                content=draft.content(), target=draft.target(), at=draft.moment(settings.tz),
                now=request.app[CLOCK].now(), repeat=draft.repeat(),
            )  # fmt: skip
            if draft.attachment is not None:
                await repo(request).files.mark_used(draft.attachment.id)
            await repo(request).commit()
        except service.BroadcastError as exc:
            await repo(request).rollback()
            errors = {"form": str(exc).splitlines()}
        else:
            raise web.HTTPSeeOther(f"/web/broadcasts/{broadcast.id}?done=created")
    values = _form_values(draft, errors, shown=preview(draft.text), count=None)
    values["twin"] = made.id if made is not None else None
    return aiohttp_jinja2.render_template(
        "broadcast_new.html", request, page(request, **values), status=422
    )


async def _twin(request: web.Request, draft: Draft) -> Broadcast | None:
    """The same broadcast just made from this form (sent again after «Назад»)."""
    return await service.twin(
        repo(request).session, author_id=staff(request).staff_id, content=draft.content(),
        target=draft.target(), at=draft.moment(request.app[SETTINGS].tz),
        now=request.app[CLOCK].now(), repeat=draft.repeat(),
    )  # fmt: skip


async def _progress(request: web.Request, broadcast_id: int) -> dict[str, Any]:
    session = repo(request).session
    found = await service.status(session, broadcast_id)
    if found is None:
        raise web.HTTPNotFound(text="Рассылка не найдена.")
    acks = await PanelStatsRepo(session).ack_counts([broadcast_id])
    channels = await service.counts_by_channel(session, broadcast_id)
    return {
        "id": found.id, "state": found.state, "state_label": tb.STATE_LABELS.get(found.state, ""),
        "total": found.total, "sent": found.sent, "failed": found.failed,
        "blocked": found.blocked, "pending": found.pending,
        "pending_label": waiting_word(found.state),
        "acknowledged": acks.get(broadcast_id, 0), "live": found.state in LIVE,
        "channels": channels, "channels_text": _channels_text(channels),
    }  # fmt: skip


def _channels_text(channels: dict[str, dict[str, int]]) -> str:
    """Delivery per messenger, one string: progress.js refreshes it with the totals, so the
    line under «Доставлено 5 из 7» does not stay at the counts the page was opened with."""
    return " · ".join(
        f"{CHANNELS.get(name, name)}: доставлено {c['sent']} из {c['total']}, "
        f"ошибок {c['failed']}, заблокировали {c['blocked']}"
        for name, c in sorted(channels.items(), key=lambda item: item[0] != "tg")
    )


async def _acks(request: web.Request, broadcast_id: int) -> dict[str, Any]:
    """«Кто ознакомился», as the bot's list: names by chat, private recipients not yet
    confirmed (names are shown escaped by the template)."""
    acks = await ack_lists.gather(repo(request), broadcast_id)
    return {"by_chat": acks.by_chat, "pending": acks.pending}


async def _delivery_page(request: web.Request, broadcast_id: int, total: int) -> dict[str, Any]:
    """One page of «Доставка по чатам» (`?page=`): a big broadcast has thousands of rows, and
    the page says which of how many it shows instead of silently stopping at the first 500."""
    pages = max(1, -(-total // DELIVERY_PAGE))
    number = min(int_or_none(request.query.get("page")) or 1, pages)
    offset = (number - 1) * DELIVERY_PAGE
    rows = await PanelStatsRepo(repo(request).session).deliveries(
        broadcast_id, DELIVERY_PAGE, offset
    )
    return {
        "deliveries": rows, "delivery_page": number, "delivery_pages": pages,
        "delivery_first": offset + 1, "delivery_last": offset + len(rows),
    }  # fmt: skip


async def broadcast_view(request: web.Request) -> web.Response:
    broadcast_id = _id(request)
    progress = await _progress(request, broadcast_id)
    broadcast = await repo(request).broadcasts.get_one(broadcast_id)
    content = Content.from_json(broadcast.content)
    values = page(
        request, b=broadcast, progress=progress, shown=preview(content.text), ack=content.ack,
        content=content, acks=await _acks(request, broadcast_id) if content.ack else None,
        target=service.target_of(broadcast), audience_labels=tb.AUDIENCE_LABELS,
        delivery_labels={**DELIVERY_LABELS, "pending": progress["pending_label"]},
        channel_names=CHANNELS,
        notice=NOTICES.get(request.query.get("done", "")),
        **await _delivery_page(request, broadcast_id, progress["total"]),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("broadcast.html", request, values)


async def progress_json(request: web.Request) -> web.Response:
    return web.json_response(await _progress(request, _id(request)))


async def cancel_ask(request: web.Request) -> web.Response:
    """«Отменить рассылку?» on a page of its own (no script): one stray tap cancels nothing."""
    broadcast_id = _id(request)
    broadcast = await repo(request).broadcasts.get(broadcast_id)
    if broadcast is None:
        raise web.HTTPNotFound(text="Рассылка не найдена.")
    back = f"/web/broadcasts/{broadcast_id}"
    if broadcast.state not in LIVE:
        done = "already" if broadcast.state == BroadcastState.CANCELLED else "late"
        raise web.HTTPSeeOther(f"{back}?done={done}")
    values = page(
        request, heading=CONFIRM_HEADING, subject=f"Рассылка №{broadcast_id}",
        question=CANCEL_ASK_WEEKLY if broadcast.repeat else CANCEL_ASK,
        action=f"{back}/cancel", button=CANCEL_BUTTON, back=back, back_label=CONFIRM_BACK,
    )  # fmt: skip
    return aiohttp_jinja2.render_template("confirm.html", request, values)


async def cancel(request: web.Request) -> web.Response:
    """A weekly one's series ends with it (the next week is booked only after a sending)."""
    broadcast_id = _id(request)
    broadcast = await repo(request).broadcasts.get(broadcast_id)
    if broadcast is None:
        raise web.HTTPNotFound(text="Рассылка не найдена.")
    if (await request.post()).get("sure") != "yes":  # an old page's one-tap button: ask first
        raise web.HTTPSeeOther(f"/web/broadcasts/{broadcast_id}/cancel")
    weekly, state = bool(broadcast.repeat), broadcast.state
    cancelled = await service.cancel_broadcast(repo(request).session, broadcast_id)
    await repo(request).commit()
    if cancelled:
        done = "cancelled_weekly" if weekly else "cancelled"
    else:
        done = "already" if state == BroadcastState.CANCELLED else "late"
    if cancelled:
        messenger, who = request.app[MESSENGER], staff(request).name
        await staff_broadcasts.cancelled_before_start(
            repo(request), messenger, broadcast_id, state, who
        )
    raise web.HTTPSeeOther(f"/web/broadcasts/{broadcast_id}?done={done}")


async def file_view(request: web.Request) -> web.Response:
    """An attached file for the preview, with the type the upload check chose; a document
    downloads, nothing uploaded is run by the browser as a page of the panel."""
    found = await repo(request).files.data(_id(request))
    if found is None:
        raise web.HTTPNotFound(text="Файл не найден.")
    info, data = found
    how = "inline" if info.kind == "photo" else "attachment"
    headers = {
        "Content-Disposition": f"{how}; filename*=UTF-8''{quote(info.name)}",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
    }  # fmt: skip
    return web.Response(body=data, content_type=info.mime, headers=headers)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/broadcasts", broadcast_list)
    app.router.add_post("/broadcasts", create)
    app.router.add_get("/broadcasts/new", compose)
    app.router.add_post("/broadcasts/preview", preview_page)
    app.router.add_get("/broadcasts/{id}", broadcast_view)
    app.router.add_get("/broadcasts/{id}/progress", progress_json)
    app.router.add_get("/broadcasts/files/{id}", file_view)
    app.router.add_get("/broadcasts/{id}/cancel", cancel_ask)
    app.router.add_post("/broadcasts/{id}/cancel", cancel)
