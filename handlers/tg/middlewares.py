"""Outer middlewares: one DB session per update, the current user, flood control, metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ContentType
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update
from aiogram.types import User as TgUser
from aiogram.types.update import UpdateTypeLookupError

from bot import texts
from bot.core import metrics
from bot.core.flood import Buckets, FloodGate
from bot.services.staff.roster import Roster
from storage.db import SessionMaker, current_session
from storage.repositories import Repositories

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseMiddleware(BaseMiddleware):
    """Opens one session per update and hands handlers a `repo`; the handler commits."""

    def __init__(self, sessionmaker: SessionMaker) -> None:
        self.sessionmaker = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            data["repo"] = Repositories(session)
            token = current_session.set(session)
            try:
                return await handler(event, data)
            finally:
                current_session.reset(token)


class UserMiddleware(BaseMiddleware):
    """Remembers people who talk to the bot privately and exposes them as `user`.

    Group members are not stored: we only keep data of people who chose to use the bot, and
    of them the messenger's display name only where staff need it (`UserRepo.touch`).
    """

    def __init__(self, roster: Roster) -> None:
        self.roster = roster

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        repo: Repositories = data["repo"]
        data["user"] = None
        is_private = chat is None or chat.type == "private"
        is_admin = tg_user is not None and await self.roster.is_staff(tg_user.id, repo)
        if tg_user is not None and not tg_user.is_bot and is_private:
            user, changed = await repo.users.touch(
                tg_user.id, tg_user.first_name, tg_user.last_name, tg_user.username,
                keep_name=is_admin,  # staff names sign answers; others' only with a ticket
            )  # fmt: skip
            if changed:
                await repo.commit()
            data["user"] = user
        data["is_admin"] = is_admin
        return await handler(event, data)


# what a person sends; anything else in a private chat is a service message about the chat
USER_CONTENT = frozenset({
    ContentType.TEXT, ContentType.ANIMATION, ContentType.AUDIO, ContentType.DOCUMENT,
    ContentType.LIVE_PHOTO, ContentType.PAID_MEDIA, ContentType.PHOTO, ContentType.STICKER,
    ContentType.STORY, ContentType.VIDEO, ContentType.VIDEO_NOTE, ContentType.VOICE,
    ContentType.CHECKLIST, ContentType.CONTACT, ContentType.DICE, ContentType.GAME,
    ContentType.POLL, ContentType.VENUE, ContentType.LOCATION, ContentType.INVOICE,
    ContentType.GIVEAWAY, ContentType.GIVEAWAY_WINNERS, ContentType.UNKNOWN,
})  # fmt: skip


class SkipPrivateServiceMessages(BaseMiddleware):
    """A parent pinning the bot's message, setting an auto-delete timer or a wallpaper in the
    chat with the bot is not talking to it: no handler sees such a service message, so the
    bot does not answer «Я понимаю только текст» or re-prompt a dialog's question. Groups'
    service messages (a migration, a new title) still reach their handlers."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if (
            isinstance(event, Message)
            and event.chat.type == "private"
            and event.content_type not in USER_CONTENT
        ):
            return None
        return await handler(event, data)


class MenuLeavesDialog(BaseMiddleware):
    """A main-menu button pressed mid-dialog ends the dialog before any handler is chosen.

    An outer middleware on `dp.message`: handlers match on `raw_state`, which aiogram reads
    once per update, so clearing the state inside a handler came too late — the dialog's own
    handler still took «📚 Частые вопросы» as the question to staff or as the position.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if (
            isinstance(event, Message)
            and event.text in texts.MENU_BUTTONS
            and state is not None
            and data.get("raw_state") is not None
        ):
            await state.clear()
            data["raw_state"] = None
        return await handler(event, data)


class ThrottlingMiddleware(BaseMiddleware):
    """`bot.core.flood.FloodGate` per user: a flood gets one polite note, then silence.

    An outer middleware on `dp.update` placed before the per-chat lock (create_dispatcher):
    it counts messages as they arrive. Counted behind the lock, a flood would be let through
    one by one as fast as the bot answers, which is the pace of the chat's send limit.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        is_admin: Callable[[int], bool] = lambda _: False,
        shared: Buckets | None = None,
    ):
        self.gate = FloodGate(rate, burst, clock, shared=shared, name="tg")
        self.is_admin = is_admin

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        inner = (event.message or event.callback_query) if isinstance(event, Update) else event
        if tg_user is None or inner is None or self.is_admin(tg_user.id):
            return await handler(event, data)
        allowed, warn = await self.gate.admit(tg_user.id)
        if allowed:
            return await handler(event, data)
        if isinstance(inner, CallbackQuery) or (
            warn and isinstance(inner, Message) and inner.chat.type == "private"
        ):
            await inner.answer(texts.THROTTLED)
        return None


class MetricsMiddleware(BaseMiddleware):
    """Counts updates by type and times them; the outermost of ours, so the time is all of it.

    An exception is counted and re-raised: the error handler still answers the user.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = _update_type(event)
        start = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception:
            metrics.update_handled(kind, time.perf_counter() - start, failed=True)
            raise
        metrics.update_handled(kind, time.perf_counter() - start)
        return result


def _update_type(event: TelegramObject) -> str:
    if not isinstance(event, Update):
        return type(event).__name__.lower()
    try:
        return event.event_type
    except UpdateTypeLookupError:  # a type newer than our aiogram
        return "unknown"
