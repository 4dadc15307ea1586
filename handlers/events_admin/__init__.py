"""The staff side of events: creating one (`dialog`), editing it (`edit`), closing or
cancelling it (`status`), who is coming and attendance (`lists`), the period report (`report`).

This module is the gate. Its first handlers answer anyone who is not staff (the roster) with
ADMIN_ONLY — commands and every staff callback, forged ones included — and the staff router
below carries IsAdmin as a router filter, so the role is decided on the server whatever a
payload says. Commands come first (they work in the middle of a dialog), then the lists,
editing and the dialog's steps.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter, or_f

from handlers.events_admin import dialog, edit, lists, report, status
from handlers.tg.callbacks import AdminEventCb, AttendCb, AttendSetCb
from handlers.tg.filters import IsAdmin
from handlers.tg.guards import OneAtATime, deny_callback, deny_message, end_staff_dialog
from handlers.tg.keyboards import events_admin as kb

STAFF_CALLBACKS = (AdminEventCb, AttendCb, AttendSetCb, kb.FormCb, kb.EditCb, kb.AttendPageCb)
STAFF_COMMANDS = ("new_event", "report")


def _staff_router() -> Router:
    router = Router(name=f"{__name__}.staff")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    one_at_a_time = OneAtATime()
    router.message.middleware(one_at_a_time)
    router.callback_query.middleware(one_at_a_time)
    router.message.register(dialog.new_event, Command("new_event"))
    router.message.register(report.report, Command("report"))
    router.callback_query.register(dialog.new_event_button, AdminEventCb.filter(F.action == "new"))
    router.include_routers(
        lists.create_router(), edit.create_router(), status.create_router(), dialog.create_router()
    )
    return router


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(deny_message, Command(*STAFF_COMMANDS), ~IsAdmin())
    dialogs = StateFilter(dialog.NewEvent, edit.EditEvent)
    router.message.register(end_staff_dialog, dialogs, ~IsAdmin())  # removed mid-dialog
    staff_callbacks = or_f(*(factory.filter() for factory in STAFF_CALLBACKS))
    router.callback_query.register(deny_callback, staff_callbacks, ~IsAdmin())
    router.include_router(_staff_router())
    return router
