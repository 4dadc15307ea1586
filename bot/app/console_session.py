"""The Bot API of `python -m bot chat`, answered inside the process: no HTTP, no Telegram.

Why a session: aiogram sends every Bot API call through `BaseSession.make_request`, so the
real Bot and the real Dispatcher run unchanged while this class plays Telegram for one person
at a terminal. What they type is handed out as getUpdates; what the bot sends is kept as the
user would see it (HTML reduced to text, inline buttons, the reply keyboard, file names);
every call is answered with the object Telegram returns, decoded by aiogram's own
`check_response` into `method.__returning__` (the pattern of aiogram's tests/mocked_bot.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import re
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods.base import TelegramMethod, TelegramType
from aiogram.types import (
    BufferedInputFile,
    FSInputFile,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

JsonDict = dict[str, Any]
Answer = Callable[[Bot, Any], Any]
_WEBHOOK_INFO: JsonDict = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
_BOT_FLAGS = dict.fromkeys(
    ("can_join_groups", "can_read_all_group_messages", "supports_inline_queries"), False
)
_GIFTS = dict.fromkeys(
    ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
     "gifts_from_channels"),
    False,
)  # fmt: skip


@dataclass(frozen=True)
class Button:
    """One inline button as the user sees it: pressed by its callback data or opened as a URL."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file the bot sent, as the user sees it (name, size) and as Telegram keeps it (id)."""

    name: str
    size: int
    file_id: str = ""
    kind: str = "document"  # or "photo"

    def wire(self) -> Any:
        """The Message field: `document`, or `photo` (a list of sizes)."""
        base = {"file_id": self.file_id, "file_unique_id": self.file_id, "file_size": self.size}
        if self.kind == "photo":
            return [{**base, "width": 800, "height": 600}]
        return {**base, "file_name": self.name}


@dataclass
class ChatMessage:
    """The current state of one message in a chat; edits and deletions change it in place."""

    chat_id: int
    message_id: int
    text: str = ""  # what the user reads: HTML already reduced to text
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: list[str] | None = None  # the menu it set (a reply keyboard); [] removed it
    document: Attachment | None = None
    deleted: bool = False
    raw: JsonDict = field(default_factory=dict)  # the wire Message, for callback queries


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram shows for `text` sent with this parse mode: HTML tags are formatting
    (Telegram's HTML has every literal `<` escaped), entities are characters."""
    if (parse_mode or "").upper() != "HTML":
        return text
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class ConsoleSession(BaseSession):
    """One user (`user`) in a private chat with the bot; other chats are kept, not shown.

    `user_sends` and `press` queue updates; `sent_to` lists the bot's messages in a chat;
    `idle` waits until the bot has answered. `busy` is set by the caller that can see the
    Dispatcher (True while an update is being handled).
    """

    def __init__(self, user: User, *, bot_username: str = "moc_console_bot") -> None:
        super().__init__()
        self.user = user
        self._person = user.model_dump(mode="json", exclude_none=True)  # the wire User
        self.bot_username = bot_username
        self.messages: dict[tuple[int, int], ChatMessage] = {}
        self.alerts: list[str] = []  # callback answers with a text, shown once by the console
        self.profile: dict[str, str] = {}
        self.busy: Callable[[], bool] = lambda: False
        self._sent: dict[int, list[ChatMessage]] = {}
        self._updates: list[JsonDict] = []
        self._arrived = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._files: dict[str, Attachment] = {}
        self._query_ids = itertools.count(4_000_000_001)
        self._last_call = time.monotonic()
        self._answers: dict[str, Answer] = {
            "getMe": lambda bot, m: {**self._bot_user(bot), **_BOT_FLAGS},
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_text,
            "editMessageCaption": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete,
            "deleteMessages": self._delete,
            "answerCallbackQuery": self._answer_callback,
            "copyMessage": self._copy,
            "forwardMessage": self._forward,
            "sendMediaGroup": self._send_media_group,
            "setMyDescription": self._set_profile,
            "setMyShortDescription": self._set_profile,
            "getMyDescription": lambda bot, m: {
                "description": self.profile.get("description", "")
            },
            "getMyShortDescription": lambda bot, m: {
                "short_description": self.profile.get("short_description", "")
            },
            "getMyCommands": lambda bot, m: [],
            "getChat": lambda bot, m: self._chat_info(m.chat_id),
            "getChatMember": lambda bot, m: {"status": "member", "user": self._user(m.user_id)},
            "getChatAdministrators": lambda bot, m: [],
            "getWebhookInfo": lambda bot, m: _WEBHOOK_INFO,
            "getFile": lambda bot, m: {"file_id": m.file_id, "file_unique_id": m.file_id},
        }

    # ----------------------------------------------------------------- the user's side

    def user_sends(self, text: str) -> None:
        """A message typed by the user; a command gets its bot_command entity as on Telegram."""
        chat_id = self.user.id
        message: JsonDict = {**self._envelope(chat_id, self._person), "text": text}
        if text.startswith("/") and len(text) > 1:
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        number = message["message_id"]
        self.messages[(chat_id, number)] = ChatMessage(chat_id, number, text, raw=message)
        self._push({"message": message})

    def press(self, message: ChatMessage, button: Button) -> None:
        """The user taps an inline button under `message` (one with callback data)."""
        query = {"id": str(next(self._query_ids)), "from": self._person, "message": message.raw}
        self._push({"callback_query": {
            **query, "chat_instance": str(message.chat_id), "data": button.callback_data,
        }})  # fmt: skip

    def sent_to(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages in `chat_id`, oldest first, each in its current state."""
        return list(self._sent.get(chat_id, []))

    async def idle(self, *, quiet: float = 0.3, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Until every update was fetched and handled and no call came for `quiet` s, or
        `timeout` s passed (then the console shows what there is and the rest comes later)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            silent = time.monotonic() - self._last_call
            if not self._updates and not self.busy() and silent >= quiet:
                return
            await asyncio.sleep(0.05)

    # ----------------------------------------------------------------- aiogram's session

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> TelegramType:
        name = method.__api_method__
        if name != "getUpdates":
            self._last_call = time.monotonic()
        answer = self._answers.get(name)
        if answer is not None:
            result = answer(bot, method)
            result = await result if asyncio.iscoroutine(result) else result
        elif method.__returning__ is bool:  # setMyCommands, sendChatAction, pins…: done
            result = True
        elif name.startswith("send"):  # sendDocument, sendPhoto…: a file with a caption
            result = self._send_file(bot, method)
        else:
            raise TelegramBadRequest(method, f"Bad Request: the console does not answer {name}")
        content = self.json_dumps({"ok": True, "result": result})
        return cast(TelegramType, self.check_response(bot, method, 200, content).result)

    async def close(self) -> None:
        """Nothing to close: no connections."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (BaseSession's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""  # the console user sends no files

    # ----------------------------------------------------------------- answers

    async def _get_updates(self, bot: Bot, method: Any) -> list[JsonDict]:
        if not self._updates:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), method.timeout or 0)
        batch, self._updates = self._updates, []
        self._arrived.clear()
        if batch:
            self._last_call = time.monotonic()
        return batch

    def _send_message(self, bot: Bot, method: Any) -> JsonDict:
        text = visible_text(method.text, self._parse_mode(bot, method))
        return self._store(bot, method.chat_id, text, method.reply_markup).raw

    def _send_file(self, bot: Bot, method: Any) -> JsonDict:
        kind = method.__api_method__.removeprefix("send").lower()
        caption = visible_text(method.caption or "", self._parse_mode(bot, method))
        document = self._attachment(getattr(method, kind, None), kind)
        return self._store(bot, method.chat_id, caption, method.reply_markup, document).raw

    def _send_media_group(self, bot: Bot, method: Any) -> list[JsonDict]:
        sent = []
        for item in method.media:
            caption = visible_text(item.caption or "", self._parse_mode(bot, item))
            document = self._attachment(item.media, str(item.type))
            sent.append(self._store(bot, method.chat_id, caption, None, document).raw)
        return sent

    def _attachment(self, value: Any, kind: str) -> Attachment:
        """What the user sees of a file: its name and size; a file_id resends a known one."""
        if isinstance(value, BufferedInputFile):
            name, size = value.filename or kind, len(value.data)
        elif isinstance(value, FSInputFile):
            path = Path(value.path)
            name, size = value.filename or path.name, path.stat().st_size
        elif isinstance(value, str) and value in self._files:
            return self._files[value]
        else:  # a URL, or a file the user sent (the console user sends none)
            name, size = kind, 0
        number = next(self._file_ids)
        found = Attachment(
            name, size, f"CONSOLE-FILE-{number}", "photo" if kind == "photo" else "document"
        )
        self._files[found.file_id] = found
        return found

    def _copy(self, bot: Bot, method: Any) -> JsonDict:
        return {"message_id": self._repost(bot, method, method.reply_markup).message_id}

    def _forward(self, bot: Bot, method: Any) -> JsonDict:
        return self._repost(bot, method, None).raw

    def _repost(self, bot: Bot, method: Any, markup: Any) -> ChatMessage:
        source = self.messages.get((_chat_id(method.from_chat_id), method.message_id))
        text, document = (source.text, source.document) if source else ("", None)
        return self._store(bot, method.chat_id, text, markup, document)

    def _edit_text(self, bot: Bot, method: Any) -> JsonDict | bool:
        message = self._editable(method)
        if message is None:
            return True
        text = getattr(method, "text", None) or getattr(method, "caption", None) or ""
        message.text = visible_text(text, self._parse_mode(bot, method))
        message.raw["caption" if message.document else "text"] = message.text
        return self._set_buttons(message, method.reply_markup)  # no markup: buttons go

    def _edit_markup(self, bot: Bot, method: Any) -> JsonDict | bool:
        message = self._editable(method)
        return True if message is None else self._set_buttons(message, method.reply_markup)

    def _delete(self, bot: Bot, method: Any) -> bool:
        ids = getattr(method, "message_ids", None) or [method.message_id]
        for message_id in ids:
            if found := self.messages.get((_chat_id(method.chat_id), message_id)):
                found.deleted = True
        return True

    def _answer_callback(self, bot: Bot, method: Any) -> bool:
        if method.text:
            self.alerts.append(method.text)
        return True

    def _set_profile(self, bot: Bot, method: Any) -> bool:
        key = "short_description" if "Short" in method.__api_method__ else "description"
        self.profile[key] = getattr(method, key) or ""
        return True

    # ----------------------------------------------------------------- the chats

    def _store(
        self,
        bot: Bot,
        chat: int | str,
        text: str,
        markup: Any,
        document: Attachment | None = None,
    ) -> ChatMessage:
        chat_id = _chat_id(chat)
        raw = self._envelope(chat_id, self._bot_user(bot))
        message = ChatMessage(chat_id, raw["message_id"], text, document=document, raw=raw)
        if document is not None:
            raw[document.kind] = document.wire()
        if text:
            raw["caption" if document else "text"] = text
        if isinstance(markup, ReplyKeyboardMarkup):
            message.keyboard = [key.text for row in markup.keyboard for key in row]
        elif isinstance(markup, ReplyKeyboardRemove):
            message.keyboard = []  # the menu goes away
        self._set_buttons(message, markup)
        self.messages[(chat_id, message.message_id)] = message
        self._sent.setdefault(chat_id, []).append(message)
        return message

    def _set_buttons(self, message: ChatMessage, markup: Any) -> JsonDict:
        if isinstance(markup, InlineKeyboardMarkup) and markup.inline_keyboard:
            message.buttons = [
                [Button(b.text, b.callback_data, b.url) for b in row]
                for row in markup.inline_keyboard
            ]
            message.raw["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
        elif not isinstance(markup, ReplyKeyboardMarkup | ReplyKeyboardRemove):
            message.buttons = []
            message.raw.pop("reply_markup", None)
        return message.raw

    def _editable(self, method: Any) -> ChatMessage | None:
        if method.inline_message_id:
            return None
        return self.messages.get((_chat_id(method.chat_id), method.message_id))

    def _envelope(self, chat_id: int, sender: JsonDict) -> JsonDict:
        numbers = self._message_ids.setdefault(chat_id, itertools.count(1))
        return {
            "message_id": next(numbers),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": sender,
        }

    def _chat(self, chat_id: int) -> JsonDict:
        if chat_id == self.user.id:
            return {"id": chat_id, "type": "private", "first_name": self.user.first_name}
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}

    def _chat_info(self, chat: int | str) -> JsonDict:
        info = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _GIFTS}
        return {**self._chat(_chat_id(chat)), **info}

    def _user(self, user_id: int) -> JsonDict:
        someone = {"id": user_id, "is_bot": False, "first_name": str(user_id)}
        return self._person if user_id == self.user.id else someone

    def _bot_user(self, bot: Bot) -> JsonDict:
        return {"id": bot.id, "is_bot": True, "first_name": "МОЦ", "username": self.bot_username}

    def _parse_mode(self, bot: Bot, method: Any) -> str | None:
        """The method's parse mode, the Bot's default (HTML) when it was left unset."""
        mode = self.prepare_value(getattr(method, "parse_mode", None), bot=bot, files={})
        return mode if isinstance(mode, str) else None

    def _push(self, update: JsonDict) -> None:
        self._updates.append({"update_id": next(self._update_ids), **update})
        self._arrived.set()


def _chat_id(value: int | str) -> int:
    if isinstance(value, int):
        return value
    return int(value) if value.lstrip("-").isdigit() else 0  # "@channel": no id here
