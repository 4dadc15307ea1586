"""The staff side of broadcasts: composing one (/broadcast, «📣 Рассылка», «📣 Анонсировать» on
an event card), the list of recent ones (/broadcasts) with cancel, reschedule and «Кто
ознакомился».

This module is the gate: private chats only, a refusal for non-admins, then the staff router
(admins only, one callback at a time per user) with the entry points and, in this order,
/broadcasts (`manage`), the refusal of a closed draft's buttons (`draft.ClosedDraft`) and the
dialog's steps (`compose`, `options`, `preview`; the draft they share is in `draft`). aiogram
takes the first handler that matches, so the entry points and /broadcasts come before the
dialog's states and its re-prompt.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter, or_f

from bot.texts import broadcasts as t
from handlers.broadcasts_admin import compose, draft, manage, options, preview
from handlers.tg.callbacks import AdminEventCb
from handlers.tg.filters import IsAdmin
from handlers.tg.guards import (
    OneAtATime,
    deny_callback,
    deny_message,
    deny_staff_button,
    end_staff_dialog,
)
from handlers.tg.keyboards import broadcasts as kb


def _staff_router() -> Router:
    router = Router(name=f"{__name__}.staff")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.callback_query.middleware(OneAtATime())
    router.message.register(compose.start, Command("broadcast"))
    router.message.register(compose.start, F.text == t.BTN_BROADCAST)
    router.callback_query.register(compose.announce, AdminEventCb.filter(F.action == "announce"))
    # before every step: a button of a closed draft never reaches the draft open now
    router.callback_query.register(draft.refuse_closed, kb.ComposeCb.filter(), draft.ClosedDraft())
    router.include_routers(
        manage.create_router(),
        compose.create_router(),
        options.create_router(),
        preview.create_router(),
    )
    return router


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(deny_message, Command("broadcast", "broadcasts"), ~IsAdmin())
    router.message.register(deny_staff_button, F.text == t.BTN_BROADCAST, ~IsAdmin())
    dialogs = StateFilter(draft.Compose, manage.Move)
    router.message.register(end_staff_dialog, dialogs, ~IsAdmin())  # removed mid-dialog
    staff_callbacks = or_f(
        kb.ComposeCb.filter(), kb.BroadcastCb.filter(), AdminEventCb.filter(F.action == "announce")
    )
    router.callback_query.register(deny_callback, staff_callbacks, ~IsAdmin())
    router.include_router(_staff_router())
    return router
