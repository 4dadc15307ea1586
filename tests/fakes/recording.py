"""An in-memory aiogram session for benchmarks and unit tests that need no HTTP at all.

Why: measuring the bot's own cost (handlers, middlewares, database) must not include sockets
and a server, and some unit tests only need to know *which* Telegram methods were called.
``RecordingSession`` answers every request with a plausible result built from the request
itself and decodes it through aiogram's own ``check_response``, so handlers get real
``Message`` objects back and injected failures raise the very exceptions aiogram would raise.

    bot = Bot("123456:TEST", session=RecordingSession())
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import typing
from collections import Counter, deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.methods.base import TelegramMethod, TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile, Message

from tests.fakes.telegram_model import (
    MEDIA_KINDS,
    FakeFile,
    JsonDict,
    chat_full_info,
    media_payload,
    member_payload,
)

if TYPE_CHECKING:
    from aiogram import Bot

ResultFactory = Callable[[TelegramMethod[Any]], Any]
Builder = Callable[["RecordingSession", "Bot", TelegramMethod[Any]], Any]


@dataclass
class _Failure:
    method: str
    status: int
    body: str
    remaining: int


class RecordingSession(BaseSession):
    """Records ``(api_method_name, method_object)`` in ``requests`` and invents the answers.

    ``max_requests`` bounds ``requests`` (a deque) for long benchmarks; ``counts`` keeps the
    per-method totals either way. ``set_result`` overrides an answer, ``fail_next`` makes the
    next calls fail exactly like a Telegram error response would.
    """

    def __init__(
        self,
        *,
        max_requests: int | None = None,
        latency: float = 0.0,
        bot_username: str = "recording_bot",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.requests: deque[tuple[str, TelegramMethod[Any]]] = deque(maxlen=max_requests)
        self.counts: Counter[str] = Counter()
        self.latency = latency
        self.bot_username = bot_username
        self.closed = False
        self._results: dict[str, ResultFactory] = {}
        self._failures: list[_Failure] = []
        self._message_ids: Counter[int] = Counter()
        self._ids = itertools.count(1)

    def set_result(self, method: str, result: Any) -> None:
        """Answer ``method`` with this raw JSON-like value, or with ``result(method_object)``."""
        factory = result if callable(result) else (lambda _method: result)
        self._results[method.lower()] = factory

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """The next ``count`` calls of ``method`` get this Telegram error response."""
        parameters = {"retry_after": retry_after, "migrate_to_chat_id": migrate_to_chat_id}
        body: JsonDict = {"ok": False, "error_code": status, "description": description}
        if cleaned := {key: value for key, value in parameters.items() if value is not None}:
            body["parameters"] = cleaned
        self._failures.append(_Failure(method.lower(), status, json.dumps(body), count))

    def sent(self, method: str = "sendMessage") -> list[TelegramMethod[Any]]:
        """The recorded method objects of one API method, oldest first."""
        return [obj for name, obj in self.requests if name.lower() == method.lower()]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> TelegramType:
        name = method.__api_method__
        self.requests.append((name, method))
        self.counts[name] += 1
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        elif name == "getUpdates":
            await asyncio.sleep(0.05)  # nothing ever arrives; do not let a poller spin
        self._raise_failure(bot, method)
        content = json.dumps({"ok": True, "result": self._raw_result(bot, method)})
        return self.check_response(bot, method, 200, content).result  # type: ignore[return-value]

    async def close(self) -> None:
        self.closed = True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (BaseSession's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""  # downloads come back empty

    # ----------------------------------------------------------------- answers

    def _raise_failure(self, bot: Bot, method: TelegramMethod[Any]) -> None:
        name = method.__api_method__.lower()
        failure = next((f for f in self._failures if f.method == name), None)
        if failure is None:
            return
        failure.remaining -= 1
        if failure.remaining <= 0:
            self._failures.remove(failure)
        self.check_response(bot, method, failure.status, failure.body)  # raises

    def _raw_result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        name = method.__api_method__.lower()
        if name in self._results:
            return self._results[name](method)
        if method.__returning__ is bool:
            return True
        if name in _BUILDERS:
            return _BUILDERS[name](self, bot, method)
        if name.startswith("edit") and getattr(method, "inline_message_id", None):
            return True
        if Message in (method.__returning__, *typing.get_args(method.__returning__)):
            return self.message_for(bot, method)
        raise NotImplementedError(f"RecordingSession has no answer for {name}; use set_result()")

    def message_for(self, bot: Bot, method: TelegramMethod[Any]) -> JsonDict:
        """A wire Message echoing what ``method`` sends or edits."""
        chat_id = _chat_id(getattr(method, "chat_id", None))
        message_id = (
            getattr(method, "message_id", None)
            if method.__api_method__.startswith("edit")
            else None
        )
        message: JsonDict = {
            "message_id": message_id or self.next_message_id(chat_id),
            "date": int(time.time()),
            "chat": _chat_of(method),
            "from": self.bot_user(bot),
        }
        for key in ("text", "caption"):
            if isinstance(value := getattr(method, key, None), str):
                message[key] = value
        kind = method.__api_method__.lower().removeprefix("send")
        media = next((k for k in MEDIA_KINDS if k.replace("_", "") == kind), None)
        if media is not None:
            message[media] = media_payload(media, self.file_for(getattr(method, media, None)))
        if isinstance(markup := getattr(method, "reply_markup", None), InlineKeyboardMarkup):
            message["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
        return message

    def next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    def file_for(self, value: Any) -> FakeFile:
        """A FakeFile standing for an uploaded InputFile or a file_id."""
        number = next(self._ids)
        name = value.filename if isinstance(value, InputFile) else None
        return FakeFile(f"REC-FILE-{number}", f"rec-u-{number}", name or f"file_{number}")

    def bot_user(self, bot: Bot) -> JsonDict:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Recording bot",
            "username": self.bot_username,
        }


def _chat_id(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return -1  # "@channel" usernames have no id here


def _chat_of(method: TelegramMethod[Any]) -> JsonDict:
    chat_id = _chat_id(getattr(method, "chat_id", None))
    return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}


def _media_group(
    session: RecordingSession, bot: Bot, method: TelegramMethod[Any]
) -> list[JsonDict]:
    items = cast(list[Any], getattr(method, "media", []))
    messages = []
    for item in items:
        message = session.message_for(bot, method)
        kind = getattr(item, "type", "document")
        kind = str(getattr(kind, "value", kind))  # InputMediaType is an Enum
        message[kind] = media_payload(kind, session.file_for(getattr(item, "media", None)))
        messages.append(message)
    return messages


def _member(session: RecordingSession, bot: Bot, method: TelegramMethod[Any]) -> JsonDict:
    user_id = getattr(method, "user_id", 0)
    return member_payload("member", {"id": user_id, "is_bot": False, "first_name": "User"})


_BUILDERS: dict[str, Builder] = {
    "getme": lambda session, bot, method: {
        **session.bot_user(bot),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    },
    "getupdates": lambda session, bot, method: [],
    "copymessage": lambda session, bot, method: {
        "message_id": session.next_message_id(_chat_id(getattr(method, "chat_id", None)))
    },
    "sendmediagroup": _media_group,
    "getchat": lambda session, bot, method: chat_full_info(_chat_of(method)),
    "getchatmember": _member,
    "getchatadministrators": lambda session, bot, method: [],
    "getmycommands": lambda session, bot, method: [],
    "getwebhookinfo": lambda session, bot, method: {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
    },
    "getfile": lambda session, bot, method: {
        "file_id": getattr(method, "file_id", ""),
        "file_unique_id": "rec-u",
        "file_path": f"files/{getattr(method, 'file_id', '')}",
    },
}
