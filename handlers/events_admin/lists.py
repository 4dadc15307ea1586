"""Who is coming: the participant list, its Excel/CSV export and attendance marks.

Part of the staff side joined by handlers.events_admin (which checks the role first). What
is listed and marked is bot.services.events.attendance (MAX staff use it too); the plain-text
list is split to Telegram's size here and only then escaped.
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill, q, split_message
from bot.services.events import attendance
from bot.texts import events_admin as t
from handlers.tg.callbacks import AdminEventCb, AttendCb, AttendSetCb
from handlers.tg.edits import edit_or_send, send_to_chat
from handlers.tg.keyboards import events_admin as kb
from handlers.tg.messenger import markup, render
from storage.models import Event
from storage.repositories import Repositories


async def _event_or_alert(query: CallbackQuery, repo: Repositories, event_id: int) -> Event | None:
    event = await repo.events.get(event_id)
    if event is None:
        await query.answer(t.EVENT_MISSING, show_alert=True)
    return event


async def people(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings
) -> None:
    event = await _event_or_alert(query, repo, callback_data.id)
    if event is None:
        return
    await query.answer()
    text = attendance.people_text(event, await attendance.people(repo, event.id), settings.tz)
    parts = split_message(text)
    for number, part in enumerate(parts, start=1):
        buttons = attendance.exports_buttons(event.id) if number == len(parts) else None
        await send_to_chat(query, q(part), markup(buttons))


async def export(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings,
    bot: Bot,
) -> None:  # fmt: skip
    event = await _event_or_alert(query, repo, callback_data.id)
    if event is None:
        return
    await query.answer()
    found = await attendance.people(repo, event.id)
    file = await attendance.export_file(repo, event, found, callback_data.action, settings.tz)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_document(
        chat_id,
        BufferedInputFile(file.data, filename=file.filename),
        caption=fill(t.EXPORT_CAPTION, title=event.title),
    )


# --- attendance -------------------------------------------------------------------------------


async def show_attendance(
    query: CallbackQuery,
    callback_data: AdminEventCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    event = await _event_or_alert(query, repo, callback_data.id)
    if event is not None and (
        early := attendance.marking_refusal(event, clock.now(), settings.tz)
    ):
        await query.answer(early, show_alert=True)
    elif event is not None:
        await query.answer()
        found, now = await attendance.people(repo, event.id), clock.now()
        present = await repo.events.present(event.id, now)
        text, buttons = attendance.attendance_view(event, found, 0, settings.tz, present, now)
        await send_to_chat(query, text, render(buttons))


async def attendance_page(
    query: CallbackQuery,
    callback_data: kb.AttendPageCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    event = await _event_or_alert(query, repo, callback_data.event)
    if event is not None:
        await query.answer()
        found, now = await attendance.people(repo, event.id), clock.now()
        present = await repo.events.present(event.id, now)
        text, buttons = attendance.attendance_view(
            event, found, callback_data.page, settings.tz, present, now
        )
        await edit_or_send(query, text, render(buttons))


async def toggle(
    query: CallbackQuery,
    callback_data: AttendCb | AttendSetCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    """Set one mark in the database as its button said (an old `att` button flips it), then
    only that button (no need to reload the list). Checked here too: a list opened earlier
    (or a forged button) must not tick in advance."""
    want = callback_data.want if isinstance(callback_data, AttendSetCb) else None
    reg = callback_data.reg
    attended, note = await attendance.toggle(repo, reg, clock.now(), settings.tz, want)
    if attended is None:
        await query.answer(note, show_alert=True)
        return
    await query.answer(note)
    message = query.message
    if isinstance(message, Message):
        again = attendance.set_payload(reg, callback_data.page, not attended)
        markup = kb.flip_attendance(message.reply_markup, reg, attended, again)
        with suppress(TelegramBadRequest):
            await message.edit_reply_markup(reply_markup=markup)


def create_router() -> Router:
    """Staff-only: included by handlers.events_admin behind its admin check."""
    router = Router(name=__name__)
    router.callback_query.register(people, AdminEventCb.filter(F.action == "people"))
    router.callback_query.register(export, AdminEventCb.filter(F.action.in_({"xlsx", "csv"})))
    router.callback_query.register(show_attendance, AdminEventCb.filter(F.action == "attend"))
    router.callback_query.register(attendance_page, kb.AttendPageCb.filter())
    router.callback_query.register(toggle, AttendCb.filter())
    router.callback_query.register(toggle, AttendSetCb.filter())
    return router
