"""Who is coming: the participant list, its Excel/CSV export and attendance marks.

Part of the staff side joined by handlers.events_admin (which checks the role first). Names,
organisations and contacts are typed by teachers, so the list is built as plain text, split
to Telegram's size and only then escaped; spreadsheets neutralise formulas in
bot.services.reports.exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill, q, split_message
from bot.services.events import roster
from bot.services.reports.exports import participants_csv, participants_xlsx, status_label
from bot.texts import events_admin as t
from handlers.tg.callbacks import AdminEventCb, AttendCb
from handlers.tg.edits import edit_or_send, send_to_chat
from handlers.tg.keyboards import events_admin as kb
from storage.models import Event, Registration, RegistrationStatus
from storage.repositories import Repositories

PAGE = 20


def people_text(event: Event, people: Sequence[roster.Person], tz: ZoneInfo) -> str:
    """The whole list as plain text (not escaped yet)."""
    when = event.starts_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    head = t.PEOPLE_HEAD.format(
        title=event.title, when=when, taken=event.taken, capacity=event.capacity
    )
    lines = [head]
    seated = [p for p in people if p[0].status in ("registered", "attended")]
    waiting = [p for p in people if p[0].status == RegistrationStatus.WAITING]
    cancelled = len(people) - len(seated) - len(waiting)
    lines.append("")
    lines += [
        t.PEOPLE_LINE.format(
            n=n, name=name, status=status_label(reg.status), **roster.details(prof)
        )
        for n, (reg, prof, name) in enumerate(seated, start=1)
    ] or [t.PEOPLE_NONE]
    if waiting:
        lines += ["", t.PEOPLE_WAITING.format(count=len(waiting))]
        lines += [
            t.PEOPLE_WAITING_LINE.format(n=n, name=name, **roster.details(prof))
            for n, (_, prof, name) in enumerate(waiting, start=1)
        ]
    if cancelled:
        lines += ["", t.PEOPLE_CANCELLED.format(count=cancelled)]
    return "\n".join(lines)


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
    parts = split_message(people_text(event, await roster.people(repo, event.id), settings.tz))
    for number, part in enumerate(parts, start=1):
        markup = kb.exports(event.id) if number == len(parts) else None
        await send_to_chat(query, q(part), markup)


async def export(
    query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories, settings: Settings,
    bot: Bot,
) -> None:  # fmt: skip
    event = await _event_or_alert(query, repo, callback_data.id)
    if event is None:
        return
    await query.answer()
    rows = [roster.row(*person) for person in await roster.people(repo, event.id)]
    build = participants_xlsx if callback_data.action == "xlsx" else participants_csv
    name = t.FILE_PEOPLE.format(id=event.id, ext=callback_data.action)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_document(
        chat_id,
        BufferedInputFile(build(event, rows, settings.tz), filename=name),
        caption=fill(t.EXPORT_CAPTION, title=event.title),
    )


# --- attendance -------------------------------------------------------------------------------


def short_name(full_name: str) -> str:
    """«Иванова Мария Петровна» → «Иванова М.П.»."""
    surname, *rest = full_name.split() or ["?"]
    return surname + (" " + "".join(f"{part[0]}." for part in rest[:2]) if rest else "")


def _attendance_view(
    event: Event, people: Sequence[roster.Person], page: int, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the seated participants, alphabetically, as toggle buttons."""
    seated = sorted(
        (p for p in people if p[0].status in ("registered", "attended")),
        key=lambda p: p[2].lower(),
    )
    if not seated:
        return t.ATTEND_NONE, kb.attendance([], event.id, 0, 1)
    pages = (len(seated) + PAGE - 1) // PAGE
    page = min(max(page, 0), pages - 1)
    shown = [
        (reg.id, short_name(name), reg.status == RegistrationStatus.ATTENDED)
        for reg, _, name in seated[page * PAGE : (page + 1) * PAGE]
    ]
    when = event.starts_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    text = fill(t.ATTEND_HEAD, title=event.title, when=when, page=page + 1, pages=pages)
    return text, kb.attendance(shown, event.id, page, pages)


async def attendance(
    query: CallbackQuery,
    callback_data: AdminEventCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    event = await _event_or_alert(query, repo, callback_data.id)
    if event is not None and (early := roster.too_early(event, clock.now(), settings.tz)):
        await query.answer(early, show_alert=True)
    elif event is not None:
        await query.answer()
        view = _attendance_view(event, await roster.people(repo, event.id), 0, settings.tz)
        await send_to_chat(query, *view)


async def attendance_page(
    query: CallbackQuery, callback_data: kb.AttendPageCb, repo: Repositories, settings: Settings
) -> None:
    event = await _event_or_alert(query, repo, callback_data.event)
    if event is not None:
        await query.answer()
        people = await roster.people(repo, event.id)
        view = _attendance_view(event, people, callback_data.page, settings.tz)
        await edit_or_send(query, *view)


async def toggle(
    query: CallbackQuery,
    callback_data: AttendCb,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    """Flip one mark in the database, then only that button (no need to reload the list).
    Checked here too: a list opened earlier (or a forged button) must not tick in advance."""
    registration = await repo.session.get(Registration, callback_data.reg)
    event = await repo.events.get(registration.event_id) if registration else None
    if event is not None and (early := roster.too_early(event, clock.now(), settings.tz)):
        await query.answer(early, show_alert=True)
        return
    if await repo.events.mark_attended(callback_data.reg, True):
        attended = True
    elif await repo.events.mark_attended(callback_data.reg, False):
        attended = False
    else:
        await query.answer(t.ATTEND_INACTIVE, show_alert=True)
        return
    await repo.commit()
    await query.answer(t.ATTEND_ON if attended else t.ATTEND_OFF)
    message = query.message
    if isinstance(message, Message):
        markup = kb.flip_attendance(message.reply_markup, callback_data.pack(), attended)
        with suppress(TelegramBadRequest):
            await message.edit_reply_markup(reply_markup=markup)


def create_router() -> Router:
    """Staff-only: included by handlers.events_admin behind its admin check."""
    router = Router(name=__name__)
    router.callback_query.register(people, AdminEventCb.filter(F.action == "people"))
    router.callback_query.register(export, AdminEventCb.filter(F.action.in_({"xlsx", "csv"})))
    router.callback_query.register(attendance, AdminEventCb.filter(F.action == "attend"))
    router.callback_query.register(attendance_page, kb.AttendPageCb.filter())
    router.callback_query.register(toggle, AttendCb.filter())
    return router
