"""Telegram's side of the outbox (bot/services/outbox): a Bot API send as a stored parcel and
back, and the resend paced by the Bot's one RateLimiter.

A parcel keeps what Telegram takes: the text or caption, the parse mode, the keyboard as
Telegram's own JSON and a photo or document by its file_id; a file uploaded from bytes has no
id to keep, so its caption is kept alone and the log says the file was skipped.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    ForceReply,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.services.outbox import Outcome, Parcel
from broadcasts.limiter import Priority, RateLimiter

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
MARKUPS: dict[str, type[Markup]] = {
    "inline_keyboard": InlineKeyboardMarkup,
    "keyboard": ReplyKeyboardMarkup,
    "remove_keyboard": ReplyKeyboardRemove,
    "force_reply": ForceReply,
}


def _value(bot: Bot, value: Any) -> Any:
    return bot.default[value.name] if isinstance(value, Default) else value


def parcel(bot: Bot, method: TelegramMethod[Any], chat_id: int, priority: int) -> Parcel | None:
    """The send as a parcel; None for what the outbox does not keep (edits, copies)."""
    markup = getattr(method, "reply_markup", None)
    buttons = markup.model_dump_json(exclude_none=True) if markup is not None else None
    mode = _value(bot, getattr(method, "parse_mode", None))
    common: dict[str, Any] = {"channel": "tg", "chat_id": chat_id, "priority": priority}
    if isinstance(method, SendMessage):
        return Parcel(text=method.text, parse_mode=mode, buttons=buttons, **common)
    if isinstance(method, SendDocument | SendPhoto):
        kind = "photo" if isinstance(method, SendPhoto) else "document"
        file = method.photo if isinstance(method, SendPhoto) else method.document
        caption = method.caption or ""
        if isinstance(file, str):
            return Parcel(
                text=caption, kind=kind, media=file, parse_mode=mode, buttons=buttons, **common
            )
        log.warning("outbox: the %s to chat %s has no file_id; only its caption is kept",
                    kind, chat_id)  # fmt: skip
        if caption:
            return Parcel(text=caption, parse_mode=mode, buttons=buttons, **common)
    return None


def _markup(buttons: str | None) -> Markup | None:
    if buttons is None:
        return None
    data = json.loads(buttons)
    for key, cls in MARKUPS.items():
        if key in data:
            return cls.model_validate(data)
    return None


def method_of(p: Parcel) -> TelegramMethod[Any]:
    markup, mode = _markup(p.buttons), p.parse_mode
    if p.kind == "photo" and p.media:
        return SendPhoto(
            chat_id=p.chat_id, photo=p.media, caption=p.text or None, parse_mode=mode,
            reply_markup=markup,
        )  # fmt: skip
    if p.kind == "document" and p.media:
        return SendDocument(
            chat_id=p.chat_id, document=p.media, caption=p.text or None, parse_mode=mode,
            reply_markup=markup,
        )  # fmt: skip
    return SendMessage(chat_id=p.chat_id, text=p.text, parse_mode=mode, reply_markup=markup)


class TelegramOutbox:
    """Resends stored parcels through the Bot, each after its slot of the shared limiter (the
    Bot's outbound middleware then lets it straight through and reports a 429 to the limiter)."""

    def __init__(self, bot: Bot, limiter: RateLimiter) -> None:
        self.bot, self.limiter = bot, limiter

    async def deliver(self, parcel: Parcel) -> Outcome:
        await self.limiter.acquire(parcel.chat_id, Priority(parcel.priority))
        try:
            await self.bot(method_of(parcel))
        except TelegramRetryAfter:
            return Outcome.LATER  # the middleware has paused the chat for retry_after
        except (TelegramNetworkError, TelegramServerError):
            return Outcome.LATER
        except TelegramForbiddenError:
            return Outcome.BLOCKED
        except TelegramBadRequest as exc:
            log.error("outbox: Telegram refused the stored reply to %s: %s", parcel.chat_id, exc)
            return Outcome.BLOCKED
        return Outcome.SENT
