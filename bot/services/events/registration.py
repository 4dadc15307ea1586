"""Registration as a service: taking a seat and telling the teacher, with the .ics file.

Both the event card and the end of the profile dialog register a teacher, so the work and
the messages live here once.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile, ReplyKeyboardMarkup
from sqlalchemy.exc import IntegrityError

from bot.core.config import Settings
from bot.core.markup import fill, q
from bot.services.events import cards as events_view
from bot.services.events.ics import event_ics
from bot.texts import events as t
from storage.models import Event, Registration, RegistrationStatus, Role, User
from storage.repositories import Repositories
from storage.repositories.events import SeatResult

log = logging.getLogger(__name__)


async def send_ics(bot: Bot, chat_id: int, event: Event, settings: Settings) -> None:
    data = event_ics(event, event.sessions, tz_name=settings.timezone, url=None, show_place=True)
    file = BufferedInputFile(data, filename=f"event-{event.id}.ics")
    await bot.send_document(chat_id, file, caption=q(event.title)[:1000])


async def become_teacher(repo: Repositories, user: User) -> bool:
    """Registering for an event makes a newcomer (or a parent) a teacher, so the menu gets
    «Мои записи»: people who follow a broadcast's «Записаться» link never saw «Кто вы?».
    Not committed: the caller commits it with the seat or the profile."""
    if user.role not in (None, Role.PARENT):
        return False
    await repo.users.set_role(user.id, Role.TEACHER)
    user.role = Role.TEACHER
    return True


async def register_and_confirm(
    bot: Bot,
    user_id: int,
    event: Event,
    repo: Repositories,
    settings: Settings,
    menu: ReplyKeyboardMarkup | None = None,
) -> SeatResult | None:
    """Take a seat (or a place in the queue) and tell the teacher; also used after the
    profile dialog. A double tap that races to insert twice is answered as «already».
    `menu` goes with the confirmation (the teacher's menu for someone who just became one)."""
    try:
        result = await repo.events.register(event.id, user_id)
        await repo.commit()
    except IntegrityError:
        await repo.rollback()
        await bot.send_message(user_id, t.ALREADY)
        return None
    reg = result.registration
    if result.outcome == "registered":
        await bot.send_message(
            user_id, confirmation(t.REGISTERED, event, settings), reply_markup=menu
        )
        await send_ics(bot, user_id, event, settings)
    elif result.outcome == "waiting":
        position = await repo.events.waiting_position(reg)
        await bot.send_message(
            user_id, fill(t.WAITING, title=event.title, position=position), reply_markup=menu
        )
    elif result.outcome == "already":
        waiting = reg.status == RegistrationStatus.WAITING
        await bot.send_message(user_id, t.ALREADY_WAITING if waiting else t.ALREADY)
    else:
        await bot.send_message(user_id, t.REG_CLOSED)
    return result


def confirmation(template: str, event: Event, settings: Settings) -> str:
    return template.format(
        title=q(event.title),
        when=events_view.when_text(event.starts_at, event.duration_min, settings.tz),
        place=events_view.place_text(event, show_link=True),
    )


async def notify_promoted(
    bot: Bot, promoted: Registration, event: Event, settings: Settings
) -> None:
    try:
        await bot.send_message(promoted.user_id, confirmation(t.PROMOTED, event, settings))
        await send_ics(bot, promoted.user_id, event, settings)
    except TelegramAPIError as exc:
        log.warning("promoted user %s not notified: %s", promoted.user_id, exc)
