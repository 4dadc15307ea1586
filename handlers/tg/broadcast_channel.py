"""The Telegram channel: Content → a Bot API call, and aiogram's exceptions → a SendOutcome.

The only module of `broadcasts` that imports aiogram. Classification is the point: 429 means
"pause everything", 403 and the "chat not found / kicked / deactivated" 400s mean "this chat is
gone", a migration carries the new id, other 400s will fail again the same way (permanent),
and network trouble, 5xx and timeouts are worth another try later (transient).

A notice to a person (the author's report, the progress edits, a held broadcast's question)
is not the ledger's: nothing retries it later. The worker paces it itself, so the Bot's
outbound layer lets a 429 through (see handlers.tg.outbound); here it is sent again after
`retry_after`, and after a 5xx or no answer after a growing pause, bounded
(`NOTICE_ATTEMPTS`), as the MAX channel does, instead of being lost to one refusal.

A file uploaded in the web panel (Content.stored_file) is sent as a file on the first delivery
only: Telegram answers with its file_id, and every other chat of the broadcast gets that id.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.core.messages import Deferred, Keyboard
from broadcasts.channel import (
    Blocked,
    Failed,
    Migrated,
    ProgressMessage,
    RetryAfter,
    SendOutcome,
    Sent,
)
from broadcasts.content import Content
from broadcasts.files import OncePerFile, StoredFiles
from handlers.tg.broadcast_album import Upload, send_album
from handlers.tg.callbacks import AckCb, UnsubCb
from handlers.tg.messenger import markup
from handlers.tg.patience import patiently

log = logging.getLogger(__name__)

ACK_LABEL = "✅ Ознакомлен"
UNSUB_LABEL = "Отписаться"
GONE_MARKERS = ("chat not found", "kicked", "deactivated", "bot was blocked", "not a member")
# a bot still in the group but not allowed to write there (restricted, a read-only group, a
# channel where it is no admin): Telegram says so as 400 or 403. Not gone: the group keeps its
# audiences and gets the next broadcast once its admin gives the right back
NO_RIGHTS_MARKERS = (
    "not enough rights",
    "have no rights",
    "write_forbidden",
    "administrator rights",
)
# an edit refused because the message is gone or no longer editable: it is sent anew, once
UNEDITABLE_MARKERS = ("message to edit not found", "message can't be edited", "MESSAGE_ID_INVALID")


def keyboard(
    content: Content, broadcast_id: int, audience: str | None
) -> InlineKeyboardMarkup | None:
    """Link button, «Ознакомлен» when asked for, «Отписаться» for a private subscriber."""
    rows: list[list[InlineKeyboardButton]] = []
    if content.button is not None:
        rows.append([InlineKeyboardButton(text=content.button.label, url=content.button.url)])
    if content.ack:
        data = AckCb(b=broadcast_id).pack()
        rows.append([InlineKeyboardButton(text=ACK_LABEL, callback_data=data)])
    if audience:
        data = UnsubCb(a=audience).pack()
        rows.append([InlineKeyboardButton(text=UNSUB_LABEL, callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def classify(exc: Exception) -> SendOutcome:
    """What an exception raised by a send means for the ledger."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after))
    if isinstance(exc, TelegramMigrateToChat):
        return Migrated(exc.migrate_to_chat_id)
    if isinstance(exc, TelegramForbiddenError | TelegramBadRequest) and any(
        marker in exc.message.lower() for marker in NO_RIGHTS_MARKERS
    ):
        return Failed(exc.message, permanent=True)
    if isinstance(exc, TelegramForbiddenError):
        return Blocked(exc.message)
    if isinstance(exc, TelegramBadRequest):
        if any(marker in exc.message.lower() for marker in GONE_MARKERS):
            return Blocked(exc.message)
        return Failed(exc.message, permanent=True)
    if isinstance(exc, TelegramEntityTooLarge):
        return Failed(exc.message, permanent=True)
    if isinstance(exc, TelegramNetworkError | TelegramServerError):
        return Failed(exc.message, permanent=False)
    if isinstance(exc, TimeoutError | ClientDecodeError):
        return Failed(f"{type(exc).__name__}: {exc}", permanent=False)
    if isinstance(exc, TelegramAPIError):  # 401, 404, 409: the same request fails again
        return Failed(exc.message, permanent=True)
    raise exc


def file_id_of(message: Message) -> str | None:
    """The id Telegram gave an uploaded photo (its largest size) or document."""
    if message.photo:
        return message.photo[-1].file_id
    return message.document.file_id if message.document else None


class TelegramChannel:
    """Sends through an aiogram Bot; HTML is always explicit, whatever the Bot's defaults."""

    def __init__(self, bot: Bot, files: StoredFiles | None = None) -> None:
        self._bot = bot
        self._files = files
        self._uploaded = OncePerFile()

    async def send(
        self,
        chat_id: int,
        content: Content,
        *,
        broadcast_id: int,
        is_private: bool,
        audience: str | None = None,
    ) -> SendOutcome:
        markup = keyboard(content, broadcast_id, audience if is_private else None)
        try:
            if content.more:
                message = await self._album(chat_id, content, markup)
            elif content.kind != "text" and content.stored_file is not None:
                message = await self._stored(chat_id, content, content.stored_file, markup)
            else:
                message = await self._call(chat_id, content, content.file_id, markup)
        except (TimeoutError, TelegramAPIError, ClientDecodeError) as exc:
            return classify(exc)
        except LookupError as exc:
            return Failed(str(exc), permanent=True)
        return Sent(message.message_id)

    async def _stored(
        self, chat_id: int, content: Content, ref: int, markup: InlineKeyboardMarkup | None
    ) -> Message:
        """The first send uploads the file; the rest wait for it and reuse its file_id."""
        if (file_id := self._uploaded.known(ref)) is None:
            async with self._uploaded.lock(ref):
                if (file_id := self._uploaded.known(ref)) is None:
                    found = await self._files.load(ref) if self._files is not None else None
                    if found is None:
                        raise LookupError(f"файл №{ref} не найден")
                    upload = BufferedInputFile(found.data, found.name)
                    message = await self._call(chat_id, content, upload, markup)
                    if (sent_id := file_id_of(message)) is not None:
                        self._uploaded.remember(ref, sent_id)
                    return message
        return await self._call(chat_id, content, file_id, markup)

    async def _album(
        self, chat_id: int, content: Content, markup: InlineKeyboardMarkup | None
    ) -> Message:
        """The album (handlers.tg.broadcast_album); its first message. Files stored in the
        database are uploaded by the first send, which the others wait for, as `_stored`."""
        files = content.files()
        new = tuple(f.stored_file for f in files if self._unknown(f.stored_file))
        if not new:
            uploads = await self._uploads(content)
            sent = await send_album(self._bot, chat_id, files, uploads, content.text, markup)
            return sent[0]
        async with self._uploaded.lock(new):
            uploads = await self._uploads(content)
            sent = await send_album(self._bot, chat_id, files, uploads, content.text, markup)
            for file, message in zip(files, sent, strict=False):
                if file.stored_file is not None and (sent_id := file_id_of(message)):
                    self._uploaded.remember(file.stored_file, sent_id)
        self._uploaded.unlock(new)
        return sent[0]

    def _unknown(self, ref: int | None) -> bool:
        return ref is not None and self._uploaded.known(ref) is None

    async def _uploads(self, content: Content) -> list[Upload]:
        found: list[Upload] = []
        for file in content.files():
            if file.stored_file is None:
                found.append(file.file_id or "")
            elif (known := self._uploaded.known(file.stored_file)) is not None:
                found.append(known)
            else:
                data = await self._files.load(file.stored_file) if self._files else None
                if data is None:
                    raise LookupError(f"файл №{file.stored_file} не найден")
                found.append(BufferedInputFile(data.data, data.name))
        return found

    async def _call(
        self,
        chat_id: int,
        content: Content,
        file: str | BufferedInputFile | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        if content.kind == "photo" and file:
            return await self._bot.send_photo(
                chat_id, file, caption=content.text or None, parse_mode="HTML",
                reply_markup=markup,
            )  # fmt: skip
        if content.kind == "document" and file:
            return await self._bot.send_document(
                chat_id, file, caption=content.text or None, parse_mode="HTML",
                reply_markup=markup,
            )  # fmt: skip
        return await self._bot.send_message(
            chat_id, content.text, parse_mode="HTML", reply_markup=markup
        )

    async def edit_progress(self, message: ProgressMessage, text: str) -> ProgressMessage | None:
        """One Telegram will not edit (the author deleted it, or it can no longer be edited)
        is sent anew, once: the new one is returned for the broadcast to keep (`anew`), and an
        edit of it refused in turn is not sent anew again, by any process (as in MAX)."""
        chat_id, message_id = message.chat_id, message.message_id
        try:
            await patiently(lambda: self._bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, parse_mode="HTML"
            ))  # fmt: skip
            return None
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return None
            lost = any(marker in exc.message for marker in UNEDITABLE_MARKERS)
            if not lost or message.anew:
                log.info("progress message %s/%s not edited: %s", chat_id, message_id, exc)
                return None
            log.info("progress message %s/%s gone (%s): sending it anew", chat_id, message_id, exc)
        except (TelegramAPIError, Deferred) as exc:
            log.info("progress message %s/%s not edited: %s", chat_id, message_id, exc)
            return None
        try:
            sent = await patiently(
                lambda: self._bot.send_message(chat_id, text, parse_mode="HTML")
            )
        except (TelegramAPIError, Deferred) as exc:
            log.info("progress message %s/%s not sent anew: %s", chat_id, message_id, exc)
            return None
        return ProgressMessage(chat_id, sent.message_id, anew=True)

    async def notify(self, chat_id: int, text: str, buttons: Keyboard = ()) -> None:
        try:
            await patiently(lambda: self._bot.send_message(
                chat_id, text, parse_mode="HTML", reply_markup=markup(buttons)
            ))  # fmt: skip
        except (TelegramAPIError, Deferred) as exc:
            log.warning("notice to %s not delivered: %s", chat_id, exc)
