"""`bot.core.messages.Messenger` over aiogram: neutral buttons → inline keyboards, Telegram's
refusals → `Unreachable`. Sends still pass the outbound path (it is the Bot's session
middleware), so a service's message is paced and a 429 waited out like any other; a sender
that paced itself gets its 429 back as `Deferred` with Telegram's `retry_after`."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.core.messages import (
    Deferred,
    Keyboard,
    MessageRef,
    Messenger,
    OutFile,
    Switchboard,
    Unreachable,
)

CHANNEL = "tg"
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights")


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


class TelegramMessenger:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        try:
            sent = await self.bot.send_message(chat_id, text, reply_markup=any_markup(buttons))
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc
        return MessageRef(sent.chat.id, sent.message_id)

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        try:
            await self.bot.edit_message_text(
                text, chat_id=ref.chat_id, message_id=ref.message_id, reply_markup=markup(buttons)
            )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:  # a double tap: already so
                raise _unreachable(exc) from exc
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        try:
            sent = await self.bot.send_document(
                chat_id, BufferedInputFile(file.data, filename=file.filename), caption=caption
            )
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc
        return MessageRef(sent.chat.id, sent.message_id)

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        try:
            copied = await self.bot.copy_message(
                to_chat_id,
                ref.chat_id,
                ref.message_id,
                caption=caption or None,
                reply_markup=markup(buttons),
            )
        except TelegramAPIError as exc:
            raise _unreachable(exc) from exc
        return MessageRef(to_chat_id, copied.message_id)


def people(bot: Bot, switchboard: Switchboard | None) -> Messenger:
    """Where to write to a person who may be in another messenger (a MAX asker): the app's
    Switchboard (workflow data `messenger`), with this Bot as its Telegram side."""
    if switchboard is None:
        return TelegramMessenger(bot)
    switchboard.messengers.setdefault(CHANNEL, TelegramMessenger(bot))
    return switchboard
