"""Closing registration for an event, opening it again (the rule in
bot.services.events.editing, shared with the web panel), and cancelling the event; a
cancellation is told to everyone registered or waiting (bot.services.events.changes queues
the notices)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.events import editing, steps
from bot.texts import events_admin as t
from broadcasts.worker import BroadcastWorker
from handlers.events_admin.shared import audience, notice_ids, schedule, staff_card, wake
from handlers.tg.callbacks import AdminEventCb
from handlers.tg.edits import edit_or_send, send_to_chat
from handlers.tg.messenger import markup
from storage.repositories import Repositories


async def close(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings,
    clock: Clock,
) -> None:  # fmt: skip
    event = await repo.events.get(callback_data.id)
    if event is None:
        await query.answer(t.EVENT_MISSING, show_alert=True)
        return
    if not await editing.close(repo, event, clock.now()):
        await query.answer(t.CLOSE_NOT_OPEN, show_alert=True)
        return
    await query.answer(editing.status_toast(t.CLOSED_OK, event))
    await edit_or_send(query, *await staff_card(event, settings, repo, clock.now()))


async def reopen(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings,
    clock: Clock,
) -> None:  # fmt: skip
    event = await repo.events.get(callback_data.id)
    if event is None:
        await query.answer(t.EVENT_MISSING, show_alert=True)
        return
    now = clock.now()
    if not await editing.reopen(repo, event, now):
        await query.answer(
            editing.reopen_refusal(event, now) or t.REOPEN_NOT_CLOSED, show_alert=True
        )
        return
    await query.answer(editing.status_toast(t.REOPENED_OK, event))
    await edit_or_send(query, *await staff_card(event, settings, repo, now))


async def cancel_ask(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings,
    clock: Clock,
) -> None:  # fmt: skip
    event = await repo.events.get(callback_data.id)
    if event is None:
        await query.answer(t.EVENT_MISSING, show_alert=True)
        return
    if refusal := editing.cancel_refusal(event, clock.now()):
        await query.answer(refusal, show_alert=True)
        return
    registered, waiting = await audience(repo, event.id)
    await query.answer()
    text = fill(
        t.CANCEL_CONFIRM, title=event.title, when=schedule(event, settings),
        count=len(registered) + len(waiting),
    )  # fmt: skip
    await edit_or_send(query, text, markup(steps.cancel_confirm(event.id)))


async def cancel_yes(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings,
    clock: Clock, broadcast_worker: BroadcastWorker | None = None,
) -> None:  # fmt: skip
    event = await repo.events.get(callback_data.id)
    if event is None:
        await query.answer(t.EVENT_MISSING, show_alert=True)
        return
    if refusal := editing.cancel_refusal(event, clock.now()):
        await query.answer(refusal, show_alert=True)
        return
    ids = await editing.cancel(repo, settings, query.from_user.id, clock.now(), event)
    if ids is None:
        await query.answer(t.ALREADY_CANCELLED, show_alert=True)
        return
    await query.answer()
    # the outcome first; the worker is woken after it, so its report cannot come before it
    done = fill(t.CANCELLED_OK, title=event.title)
    await send_to_chat(query, done + (fill(t.NOTICES_QUEUED, ids=notice_ids(ids)) if ids else ""))
    wake(broadcast_worker)
    await edit_or_send(query, *await staff_card(event, settings, repo, clock.now()))


def create_router() -> Router:
    """Staff-only: included by handlers.events_admin behind its admin check."""
    router = Router(name=__name__)
    router.callback_query.register(close, AdminEventCb.filter(F.action == "close"))
    router.callback_query.register(reopen, AdminEventCb.filter(F.action == "reopen"))
    router.callback_query.register(cancel_ask, AdminEventCb.filter(F.action == "cancel"))
    router.callback_query.register(cancel_yes, AdminEventCb.filter(F.action == "cancel_yes"))
    return router
