"""One failing update never stops the bot: log it with the update id, apologise, tell admins."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from aiogram import Bot, Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import ErrorEvent

from bot import texts
from bot.core.config import Settings
from bot.core.markup import clip, fill
from bot.core.messages import Deferred
from bot.services.chats.pointers import Stamps
from handlers.tg.broadcast_channel import NO_RIGHTS_MARKERS as NO_RIGHTS
from handlers.tg.outbound import answer_must_land

log = logging.getLogger(__name__)
ADMIN_NOTICE_INTERVAL = 60.0  # seconds; a crash loop must not flood the admins
_last_notice: dict[str, float] = {}


def _chat_of(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    return None


async def _apologise(event: ErrorEvent, bot: Bot, chat_id: int | None) -> None:
    """An alert on the pressed button; a message when the handler had already answered the
    button (a seat is taken after the spinner stops), since a second answer is refused."""
    query = event.update.callback_query
    try:
        if query is not None:
            try:
                with answer_must_land():
                    await query.answer(texts.ERROR, show_alert=True)
                return
            except TelegramBadRequest:
                pass  # answered before the failure: say it in the chat instead
        if chat_id is not None:
            await bot.send_message(chat_id, texts.ERROR)
    except TelegramAPIError:
        log.warning("could not apologise for update %s", event.update.update_id)


async def on_error(
    event: ErrorEvent, bot: Bot, settings: Settings, stamps: Stamps | None = None
) -> bool:
    error = event.exception
    chat_id = _chat_of(event)
    if _person_left(error, chat_id):  # as MAX's dispatcher does with Unreachable
        log.info("update %s: the person's chat refused the reply: %s", event.update.update_id,
                 getattr(error, "message", error))  # fmt: skip
        return True
    log.exception(
        "update %s failed: %s", event.update.update_id, type(error).__name__, exc_info=error
    )
    if isinstance(error, TelegramRetryAfter | Deferred):
        return True  # the chat is flood-limited: an apology there would only make it worse
    if _muted_here(error, chat_id):
        return True  # staff heard it from my_chat_member; an apology would be refused too
    await _apologise(event, bot, chat_id)
    key = type(error).__name__
    if await _notice_due(key, stamps):
        notice = fill(
            texts.ADMIN_ERROR, update_id=event.update.update_id, error=clip(f"{key}: {error}", 500)
        )
        for admin_id in sorted(settings.admin_ids):
            try:
                await bot.send_message(admin_id, notice)
            except TelegramAPIError:
                log.warning("could not notify admin %s", admin_id)
    return True


def _person_left(error: Exception, chat_id: int | None) -> bool:
    """The person blocked the bot or deleted the account while their update was handled (a
    403 for a reply to their own private chat): there is nobody to apologise to and nothing
    for staff to fix; Telegram's my_chat_member update tells the bot about a block."""
    return (
        isinstance(error, TelegramForbiddenError)
        and chat_id is not None
        and chat_id > 0
        and getattr(error.method, "chat_id", None) == chat_id
    )


def _muted_here(error: Exception, chat_id: int | None) -> bool:
    """The bot may not write in this group (restricted, read-only): not a bug to page about."""
    refused = isinstance(error, TelegramBadRequest | TelegramForbiddenError)
    said = error.message.lower() if isinstance(error, TelegramAPIError) else ""
    return refused and chat_id is not None and chat_id < 0 and any(m in said for m in NO_RIGHTS)


async def _notice_due(key: str, stamps: Stamps | None) -> bool:
    """One notice per kind of error a minute: for all instances through Redis (a crash loop
    on four instances is not four notices), else for this process."""
    if stamps is not None:
        every = timedelta(seconds=ADMIN_NOTICE_INTERVAL)
        due = await stamps.stamp(f"moc:error-notice:{key}", every, only_new=True)
        if due is not None:
            return due
    now = time.monotonic()
    if now - _last_notice.get(key, -ADMIN_NOTICE_INTERVAL) < ADMIN_NOTICE_INTERVAL:
        return False
    _last_notice[key] = now
    return True


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
