"""`bot.core.messages.Messenger` over aiogram: neutral buttons → inline keyboards, Telegram's
refusals → `Unreachable`. Sends still pass the outbound path (it is the Bot's session
middleware), so a service's message is paced and a 429 waited out like any other; a sender
that paced itself gets its 429 back as `Deferred` with Telegram's `retry_after`."""

from __future__ import annotations

import asyncio
import logging
import struct
import zlib
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.core.markup import q
from bot.core.messages import (
    Deferred,
    Keyboard,
    MessageRef,
    Messenger,
    OutFile,
    Switchboard,
    Unreachable,
)
from bot.texts import faq_learn as t

log = logging.getLogger(__name__)
T = TypeVar("T")
FAULT_ATTEMPTS: Final = 3  # an edit or a delete meeting 5xx or no connection, as MAX's messenger
FAULT_BACKOFF: Final = 1.0  # seconds before the second try; doubled before the third
CHANNEL = "tg"
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights")


def _blank_png(side: int = 64) -> bytes:
    """A light grey square PNG: what a picture past deletion is replaced with."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + b"\xe0" * side for _ in range(side))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


BLANK_PNG: Final = _blank_png()


def markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    return render(buttons) if buttons else None


def render(buttons: Keyboard) -> InlineKeyboardMarkup:
    """Neutral rows of buttons as Telegram's inline keyboard."""
    if any(b.asks_contact for row in buttons for b in row):
        raise ValueError("a contact request is a reply keyboard in Telegram: use any_markup")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.action, url=b.url) for b in row]
            for row in buttons
        ]
    )


def any_markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """What a send carries: Telegram asks for a contact only from a reply keyboard (an inline
    button cannot), so a keyboard of contact requests becomes one, shown once."""
    if not buttons or not any(b.asks_contact for row in buttons for b in row):
        return markup(buttons)
    return contact_keyboard(buttons)


def contact_keyboard(buttons: Keyboard) -> ReplyKeyboardMarkup:
    """Contact requests as Telegram's one-time reply keyboard."""
    if not all(b.asks_contact for row in buttons for b in row):
        raise ValueError("Telegram cannot mix a contact request with inline buttons")
    keyboard = [
        [KeyboardButton(text=b.label, request_contact=True) for b in row] for row in buttons
    ]
    return ReplyKeyboardMarkup(keyboard=keyboard, resize_keyboard=True, one_time_keyboard=True)


def _unreachable(exc: TelegramAPIError) -> Unreachable | Deferred:
    if isinstance(exc, TelegramRetryAfter):  # only a self-paced send sees one (outbound)
        return Deferred(exc.message, retry_after=float(exc.retry_after))
    gone = isinstance(exc, TelegramForbiddenError | TelegramNotFound) or (
        isinstance(exc, TelegramBadRequest) and any(s in exc.message.lower() for s in _GONE)
    )
    return Unreachable(exc.message, gone=gone)


async def retrying(call: Callable[[], Awaitable[T]]) -> T:
    """An edit or a delete tried again when Telegram fails on its side (5xx, no connection):
    the outbox keeps only sends, and an edit given up at once left /forget_me's redaction of a
    staff post undone by one passing 502."""
    for attempt in range(1, FAULT_ATTEMPTS):
        try:
            return await call()
        except (TelegramServerError, TelegramNetworkError) as exc:
            wait = FAULT_BACKOFF * 2 ** (attempt - 1)
            log.info("Telegram failed on its side (%s); trying again in %.0f s", exc, wait)
            await asyncio.sleep(wait)
    return await call()


async def follow(chat_id: int, call: Callable[[int], Awaitable[T]]) -> T:
    """`call(chat_id)`; a group that became a supergroup (Telegram refuses the old id with
    `migrate_to_chat_id`) gets it at its new id, so a staff post is not lost to the upgrade.
    The chat registry learns the move from the service message (handlers/chats/members.py);
    a configured id (STAFF_CHAT_ID) cannot change itself, so the log says what to set."""
    try:
        return await call(chat_id)
    except TelegramMigrateToChat as exc:
        new_id = exc.migrate_to_chat_id
        log.error(
            "chat %s is now the supergroup %s: sent there; if it is STAFF_CHAT_ID, "
            "set STAFF_CHAT_ID=%s in .env and restart", chat_id, new_id, new_id,
        )  # fmt: skip
        return await call(new_id)


class TelegramMessenger:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        try:
            sent = await follow(
                chat_id,
                lambda to: self.bot.send_message(to, text, reply_markup=any_markup(buttons)),
            )
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc
        return MessageRef(sent.chat.id, sent.message_id)

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        try:
            await retrying(
                lambda: self.bot.edit_message_text(
                    text,
                    chat_id=ref.chat_id,
                    message_id=ref.message_id,
                    reply_markup=markup(buttons),
                )
            )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:  # a double tap: already so
                raise _unreachable(exc) from exc
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        try:
            await retrying(
                lambda: self.bot.edit_message_reply_markup(
                    chat_id=ref.chat_id, message_id=ref.message_id, reply_markup=markup(buttons)
                )
            )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:  # a double close: already so
                raise _unreachable(exc) from exc
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        try:
            document = BufferedInputFile(file.data, filename=file.filename)
            sent = await follow(
                chat_id, lambda to: self.bot.send_document(to, document, caption=caption)
            )
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc
        return MessageRef(sent.chat.id, sent.message_id)

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        try:
            moved_to: list[int] = []

            async def copy_to(to: int) -> int:
                moved_to.append(to)
                copied = await self.bot.copy_message(
                    to, ref.chat_id, ref.message_id, caption=caption or None,
                    reply_markup=markup(buttons),
                )  # fmt: skip
                return copied.message_id

            message_id = await follow(to_chat_id, copy_to)
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc
        return MessageRef(moved_to[-1], message_id)

    async def delete(self, ref: MessageRef) -> None:
        try:  # Telegram allows it for 48 hours
            await retrying(lambda: self.bot.delete_message(ref.chat_id, ref.message_id))
        except TelegramBadRequest as exc:
            if "can't be deleted" not in exc.message or not await self._blank(ref):
                raise _unreachable(exc) from exc
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc

    async def _blank(self, ref: MessageRef) -> bool:
        """Past the 48 hours the bot may still edit its own message: a picture or a file (a
        person's screenshot copied for staff) becomes a blank one, its caption «Удалено».
        True when so; a voice message cannot be replaced, only its caption (False)."""
        blank = BufferedInputFile(BLANK_PNG, "removed.png")
        note = BufferedInputFile(t.BLANKED.encode(), "removed.txt")
        for media in (  # a document album takes only a document
            InputMediaPhoto(media=blank, caption=q(t.BLANKED)),
            InputMediaDocument(media=note, caption=q(t.BLANKED)),
        ):
            try:
                await self.bot.edit_message_media(
                    media, chat_id=ref.chat_id, message_id=ref.message_id
                )
                return True
            except TelegramAPIError as exc:
                log.info("message %s/%s not blanked: %s", ref.chat_id, ref.message_id, exc)
        try:  # a voice message stays, but its caption (who sent it, their words) can go
            await self.bot.edit_message_caption(
                chat_id=ref.chat_id, message_id=ref.message_id, caption=q(t.BLANKED)
            )
        except TelegramAPIError as exc:
            log.info("caption of %s/%s not cleared: %s", ref.chat_id, ref.message_id, exc)
        return False


def people(bot: Bot, switchboard: Switchboard | None) -> Messenger:
    """Where to write to a person who may be in another messenger (a MAX asker): the app's
    Switchboard (workflow data `messenger`), with this Bot as its Telegram side."""
    if switchboard is None:
        return TelegramMessenger(bot)
    switchboard.messengers.setdefault(CHANNEL, TelegramMessenger(bot))
    return switchboard
