"""A fake Telegram Bot API server speaking real HTTP on 127.0.0.1.

Why a server and not a mocked session: the bugs that reach production live in the wire format
and in Telegram's refusals — multipart uploads with JSON-encoded keyboards, HTML that Telegram
cannot parse, the 4096-character limit, 403 from users who blocked the bot, 429 floods, groups
migrated to supergroups, long-polling offsets. A real ``aiogram.Bot`` and a real ``Dispatcher``
talk to this server unchanged, so e2e tests, broadcast benchmarks and the console chat
(``python -m bot chat``) run the production code paths while nothing leaves the machine.

Point aiogram at it with ``AiohttpSession(api=TelegramAPIServer.from_base(server.url))``.
Everything runs on the caller's event loop; the driving methods (``user_sends``, ``press``…) are
plain functions, the observing ones (``next_message``, ``wait_for``, ``idle``) are awaitable.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import itertools
import json
import logging
import math
import random
import re
import time
import typing
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import NoneType, TracebackType
from typing import Any, Final, Self, TypeVar

from aiogram import methods as tg_methods
from aiogram.client.default import Default
from aiogram.methods.base import TelegramMethod
from aiogram.types import (
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InputFile,
    TelegramObject,
)
from aiohttp import web
from aiohttp.web_request import FileField

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
JsonDict = dict[str, Any]
Files = dict[str, "FakeFile"]
Handler = Callable[[JsonDict, Files], Any]

MAX_TEXT: Final = 4096
MAX_CAPTION: Final = 1024
MAX_CALLBACK_DATA: Final = 64
MAX_CALLBACK_ANSWER: Final = 200
MAX_UPLOAD: Final = 50 * 1024 * 1024  # Telegram's limit for files uploaded by bots
NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
# Telegram sends these only when asked for explicitly in allowed_updates.
OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MEDIA_KEYS: Final = (
    "photo", "document", "sticker", "voice", "audio", "video", "video_note", "animation",
    "contact", "location", "venue", "poll", "dice",
)  # fmt: skip
CAPTIONED_MEDIA: Final = frozenset({"photo", "document", "audio", "video", "voice", "animation"})
CHAT_ACTIONS: Final = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})  # fmt: skip
BUTTON_ACTIONS: Final = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
DEFAULT_GROUP_IDS: Final = {
    "group": -4000000001,
    "supergroup": -1001000000001,
    "channel": -1002000000001,
}
_SPACES: Final = " \t\r\n\v\f"
_COMMAND_NAME: Final = re.compile(r"[a-z0-9_]{1,32}")


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user who talks to the bot; ``as_dict`` is the wire ``User`` object."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"

    def as_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class FakeFile:
    """A file the bot uploaded (bytes kept) or referenced by file_id or URL (no bytes)."""

    file_id: str
    file_unique_id: str
    filename: str
    data: bytes = b""
    content_type: str | None = None
    file_path: str = ""


@dataclass
class SentMessage:
    """The current state of one message in a chat; edits and deletions update it in place.

    ``text`` is the text or caption as the user sees it (HTML already parsed), ``raw_text`` is
    what the bot sent. ``document`` holds the uploaded file of any media kind. ``sender`` is
    None for the bot's own messages.
    """

    chat_id: int
    message_id: int
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    kind: str = "text"
    document: FakeFile | None = None
    history: list[str] = field(default_factory=list)
    deleted: bool = False
    reply_to_message_id: int | None = None
    date: int = 0
    edit_date: int | None = None
    pinned: bool = False
    media_group_id: str | None = None
    source: tuple[int, int] | None = None
    content: JsonDict = field(default_factory=dict)
    sender: FakeUser | None = None
    raw: JsonDict | None = field(default=None, repr=False)

    @property
    def inline_markup(self) -> JsonDict | None:
        markup = self.reply_markup
        return markup if markup is not None and "inline_keyboard" in markup else None

    @property
    def buttons(self) -> list[list[Button]]:
        rows = (self.inline_markup or {}).get("inline_keyboard", [])
        return [[_button(raw) for raw in row] for row in rows]

    @property
    def inline_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [[_key_text(key) for key in row] for row in rows]

    def button(self, label: str) -> Button:
        """The inline button whose text or callback_data is ``label``."""
        for row in self.buttons:
            for button in row:
                if label in (button.text, button.callback_data):
                    return button
        listed = [(b.text, b.callback_data or b.url) for row in self.buttons for b in row]
        raise ValueError(f"no button {label!r} in message {self.message_id}; buttons: {listed}")


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the server saw it (``method`` is lower-case)."""

    method: str
    params: JsonDict
    ok: bool
    result: Any
    at: float  # time.monotonic()
    error_code: int | None = None
    description: str | None = None
    seq: int = 0


def _button(raw: JsonDict) -> Button:
    return Button(
        text=raw.get("text", ""), callback_data=raw.get("callback_data"), url=raw.get("url")
    )


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else str(key.get("text", ""))


# --------------------------------------------------------------------------- wire shapes

SAMPLE_MEDIA: Final[dict[str, JsonDict]] = {
    "sticker": {"sticker": {
        "file_id": "sample-sticker", "file_unique_id": "u-sticker", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
    }},
    "photo": {"photo": [
        {"file_id": "sample-photo-s", "file_unique_id": "u-photo-s", "width": 90, "height": 90},
        {"file_id": "sample-photo", "file_unique_id": "u-photo", "width": 800, "height": 600},
    ]},
    "voice": {"voice": {
        "file_id": "sample-voice", "file_unique_id": "u-voice", "duration": 3,
        "mime_type": "audio/ogg",
    }},
    "video": {"video": {
        "file_id": "sample-video", "file_unique_id": "u-video", "width": 640, "height": 360,
        "duration": 5,
    }},
    "video_note": {"video_note": {
        "file_id": "sample-video-note", "file_unique_id": "u-video-note", "length": 240,
        "duration": 5,
    }},
    "audio": {"audio": {"file_id": "sample-audio", "file_unique_id": "u-audio", "duration": 60}},
    "animation": {"animation": {
        "file_id": "sample-animation", "file_unique_id": "u-animation", "width": 320,
        "height": 240, "duration": 2,
    }},
    "document": {"document": {
        "file_id": "sample-document", "file_unique_id": "u-document",
        "file_name": "заявление.pdf", "mime_type": "application/pdf",
    }},
    "contact": {"contact": {"phone_number": "+79990000000", "first_name": "Мария"}},
    "location": {"location": {"latitude": 55.75, "longitude": 37.62}},
}  # fmt: skip
"""Valid raw Message fields for ``user_sends(extra=SAMPLE_MEDIA["sticker"])`` and the like."""

_MEDIA_SHAPES: Final[dict[str, JsonDict]] = {
    "document": {},
    "audio": {"duration": 1},
    "video": {"width": 640, "height": 360, "duration": 1},
    "animation": {"width": 320, "height": 240, "duration": 1},
    "voice": {"duration": 1},
    "video_note": {"length": 240, "duration": 1},
    "sticker": {
        "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False,
    },
}  # fmt: skip
MEDIA_KINDS: Final = frozenset({"photo", *_MEDIA_SHAPES})


def media_payload(kind: str, file: FakeFile) -> Any:
    """The Message field (``document``, ``photo``…) Telegram returns for a sent file."""
    base: JsonDict = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
    if file.data:
        base["file_size"] = len(file.data)
    if kind == "photo":
        return [{**base, "width": 800, "height": 600}]
    payload = {**base, **_MEDIA_SHAPES[kind]}
    if kind in ("document", "audio", "video", "animation"):
        payload["file_name"] = file.filename
        if file.content_type:
            payload["mime_type"] = file.content_type
    return payload


_MEMBER_MODELS: Final[dict[str, type[TelegramObject]]] = {
    "creator": ChatMemberOwner,
    "administrator": ChatMemberAdministrator,
    "member": ChatMemberMember,
    "restricted": ChatMemberRestricted,
    "left": ChatMemberLeft,
    "kicked": ChatMemberBanned,
}


def member_payload(status: str, user: JsonDict) -> JsonDict:
    """A ChatMember of ``status`` with every field the Bot API requires for that status.

    The required fields are read from aiogram's models so the shape follows the installed
    aiogram: administrators get every ``can_*`` right, restricted members none.
    """
    model = _MEMBER_MODELS.get(status)
    if model is None:
        raise ValueError(
            f"unknown chat member status {status!r}; use one of {list(_MEMBER_MODELS)}"
        )
    payload: JsonDict = {"status": status, "user": user}
    for name, info in model.model_fields.items():
        if name not in payload and info.is_required():
            payload[name] = _member_flag(status, name)
    return payload


def _member_flag(status: str, name: str) -> Any:
    if name == "until_date":
        return 0
    if name == "is_member":
        return True
    return status == "administrator" and name.startswith("can_") and name != "can_be_edited"


def chat_full_info(chat: JsonDict) -> JsonDict:
    """The ChatFullInfo for ``getChat`` built from a plain Chat object."""
    gifts = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
         "gifts_from_channels"),
        False,
    )  # fmt: skip
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


def _now() -> int:
    return int(time.time())


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _private_chat(user: FakeUser, chat_id: int | None = None) -> JsonDict:
    chat: JsonDict = {"id": user.id if chat_id is None else chat_id, "type": "private"}
    chat["first_name"] = user.first_name
    if user.last_name:
        chat["last_name"] = user.last_name
    if user.username:
        chat["username"] = user.username
    return chat


def _update_type(update: JsonDict) -> str:
    return next((key for key in update if key != "update_id"), "")


# --------------------------------------------------------------------------- errors


class _ApiError(Exception):
    """A refusal the server answers with ``{"ok": false, ...}`` and the same HTTP status."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


# --------------------------------------------------------------------------- HTML like Telegram

_HTML_TAGS: Final = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "a": "text_link", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPECIAL: Final = re.compile(r"[<&]")


class HtmlParseError(ValueError):
    """The reason Telegram gives after "Bad Request: can't parse entities: "."""


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the rendered text, as Telegram counts entity offsets
    begin: int  # index in the source, for byte offsets in error messages


class _HtmlParser:
    """Telegram's HTML parse mode, after tdlib's ``parse_html``: same tags, same refusals.

    Bare ``<`` (e.g. unescaped user input ``a < b``), unknown tags such as ``<br>`` and
    unbalanced tags are errors; an ``&`` that starts no known entity is kept literally.
    """

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self.pos < len(self.src):
            if self.src.startswith("</", self.pos):
                self._end_tag()
            elif self.src.startswith("<", self.pos):
                self._start_tag()
            elif self.src.startswith("&", self.pos):
                self._entity()
            else:
                self._plain()
        if self.stack:
            tag = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += _utf16_len(text)

    def _byte(self, index: int) -> int:
        return len(self.src[:index].encode())

    def _plain(self) -> None:
        match = _HTML_SPECIAL.search(self.src, self.pos)
        end = match.start() if match else len(self.src)
        self._emit(self.src[self.pos : end])
        self.pos = end

    def _entity(self) -> None:
        decoded, end = _decode_html_entity(self.src, self.pos)
        self._emit(decoded if decoded is not None else "&")
        self.pos = end if decoded is not None else self.pos + 1

    def _skip(self, index: int, stop: Callable[[str], bool]) -> int:
        while index < len(self.src) and not stop(self.src[index]):
            index += 1
        return index

    def _start_tag(self) -> None:
        begin = self.pos
        end = self._skip(begin + 1, lambda ch: ch in _SPACES or ch == ">")
        if end >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        name = self.src[begin + 1 : end].lower()
        if name not in _HTML_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte(begin)}'
            )
        attrs, end = self._attributes(name, end, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}'
            )
        self.stack.append(_OpenTag(name, attrs, self.utf16, begin))
        self.pos = end + 1

    def _attributes(self, tag: str, index: int, begin: int) -> tuple[dict[str, str], int]:
        attrs: dict[str, str] = {}
        while True:
            index = self._skip(index, lambda ch: ch not in _SPACES)
            if index >= len(self.src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            if self.src[index] == ">":
                return attrs, index
            name_end = self._skip(index, lambda ch: ch in _SPACES or ch in "=>")
            name = self.src[index:name_end].lower()
            index = self._skip(name_end, lambda ch: ch not in _SPACES)
            if tag == "blockquote" and name == "expandable" and self.src[index : index + 1] != "=":
                attrs[name] = ""
                continue
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(begin)}'
                )
            if self.src[index : index + 1] != "=":
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self._byte(begin)}'
                )
            attrs[name], index = self._attribute_value(index + 1, begin)

    def _attribute_value(self, index: int, begin: int) -> tuple[str, int]:
        index = self._skip(index, lambda ch: ch not in _SPACES)
        if index >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        quote = self.src[index]
        if quote in "'\"":
            end = self.src.find(quote, index + 1)
            if end < 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            value, _ = _HtmlParser(self.src[index + 1 : end])._decode_only()
            return value, end + 1
        end = self._skip(index, lambda ch: not (ch.isascii() and (ch.isalnum() or ch in ".-")))
        if end >= len(self.src) or (self.src[end] not in _SPACES and self.src[end] != ">"):
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {self._byte(index)}"
            )
        return self.src[index:end].lower(), end

    def _decode_only(self) -> tuple[str, int]:
        while self.pos < len(self.src):
            if self.src.startswith("&", self.pos):
                self._entity()
            else:
                self._emit(self.src[self.pos])
                self.pos += 1
        return "".join(self.out), self.utf16

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        end = self._skip(begin + 2, lambda ch: ch in _SPACES or ch == ">")
        found = self.src[begin + 2 : end].lower()
        end = self._skip(end, lambda ch: ch not in _SPACES)
        if end >= len(self.src) or self.src[end] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        tag = self.stack.pop()
        if found and found != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self._byte(begin)}, "
                f'expected "</{tag.name}>", found "</{found}>"'
            )
        self._close(tag)
        self.pos = end + 1

    def _close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0 or (tag.name == "a" and not tag.attrs.get("href")):
            return
        entity: JsonDict = {"type": _HTML_TAGS[tag.name], "offset": tag.offset, "length": length}
        if tag.name == "a":
            entity["url"] = tag.attrs["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def _decode_html_entity(src: str, index: int) -> tuple[str | None, int]:
    """Decode ``&lt;``/``&#60;``/``&#x3c;`` at ``index``; (None, index) when it is no entity."""
    numeric = src.startswith("&#", index)
    start = index + 2 if numeric else index + 1
    base = 10
    if numeric and src[start : start + 1] in ("x", "X"):
        base, start = 16, start + 1
    digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    end = start
    while end < len(src) and (
        src[end] in digits if numeric else src[end].isascii() and src[end].isalnum()
    ):
        end += 1
    if end == start or not src.startswith(";", end):
        return None, index
    if not numeric:
        named = _NAMED_ENTITIES.get(src[start:end])
        return (named, end + 1) if named else (None, index)
    code = int(src[start:end], base)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None, index
    return chr(code), end + 1


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Render Telegram HTML to (plain text, entities); raises HtmlParseError like Telegram."""
    return _HtmlParser(text).parse()


def render_markup(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` as Telegram does; explicit entities win over the parse mode.

    Markdown and MarkdownV2 are accepted without validation (the bot uses HTML).
    """
    if isinstance(entities, list):
        return text, entities
    mode = str(parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
    if mode in ("markdown", "markdownv2"):
        return text, []
    raise _bad_request("unsupported parse_mode")


# --------------------------------------------------------------------------- request decoding

_FALLBACK_STRING_FIELDS: Final = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "description",
    "short_description", "name", "language_code", "action", "emoji", "title",
    "inline_message_id", "business_connection_id", "message_effect_id", "custom_emoji_id",
    "question", "phone_number", "first_name", "last_name", "secret_token", "file_id",
})  # fmt: skip


def _is_string_annotation(annotation: Any) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    kinds = {
        arg
        for arg in args
        if arg is not NoneType
        and not (isinstance(arg, type) and issubclass(arg, (Default, InputFile)))
    }
    return kinds == {str}


@functools.cache
def _string_fields() -> dict[str, frozenset[str]]:
    """Per API method, the parameters typed ``str`` (their values must not be JSON-decoded).

    aiogram sends strings raw and everything else JSON-encoded, so a text "123" and a
    chat_id 123 look alike on the wire; like Telegram, the schema decides. aiogram's method
    models are the schema.
    """
    table: dict[str, frozenset[str]] = {}
    for obj in vars(tg_methods).values():
        api_name = getattr(obj, "__api_method__", None)
        if isinstance(obj, type) and issubclass(obj, TelegramMethod) and isinstance(api_name, str):
            fields = obj.model_fields.items()
            names = {name for name, info in fields if _is_string_annotation(info.annotation)}
            table[api_name.lower()] = frozenset(names)
    return table


def _json_or_str(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def decode_params(method: str, raw: list[tuple[str, Any]]) -> JsonDict:
    """Typed parameters from form or query strings (JSON-decoded unless the field is a str)."""
    strings = _string_fields().get(method, _FALLBACK_STRING_FIELDS)
    return {
        key: value if key in strings or not isinstance(value, str) else _json_or_str(value)
        for key, value in raw
    }


# --------------------------------------------------------------------------- update queue


class _UpdateQueue:
    """getUpdates semantics: offsets acknowledge, long polls wait, a second poller conflicts."""

    def __init__(self) -> None:
        self.pending: list[JsonDict] = []
        self.allowed: frozenset[str] | None = None
        self.delivered_upto = 0
        self._next_id = 1
        self._waiter: asyncio.Future[str] | None = None

    def push(self, update: JsonDict) -> JsonDict:
        update.setdefault("update_id", self._next_id)
        self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        self.pending.append(update)
        self.wake("update")
        return update

    def wake(self, reason: str) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(reason)

    def undelivered(self) -> int:
        return sum(
            1 for u in self.pending if u["update_id"] > self.delivered_upto and self._allows(u)
        )

    async def poll(self, params: JsonDict, *, closing: bool) -> list[JsonDict]:
        self.wake("conflict")  # Telegram terminates the older long poll
        self._acknowledge(params.get("offset"))
        if isinstance(params.get("allowed_updates"), list):
            self.allowed = frozenset(params["allowed_updates"]) or None
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        batch = self._ready(limit)
        if not batch and not closing and float(params.get("timeout") or 0) > 0:
            await self._wait(float(params["timeout"]))
            batch = self._ready(limit)
        if batch:
            self.delivered_upto = max(self.delivered_upto, batch[-1]["update_id"])
        return batch

    def _allows(self, update: JsonDict) -> bool:
        kind = _update_type(update)
        return kind not in OPT_IN_UPDATES if self.allowed is None else kind in self.allowed

    def _acknowledge(self, offset: Any) -> None:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset == 0:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def _ready(self, limit: int) -> list[JsonDict]:
        # Updates of types the bot did not ask for are never delivered, as on Telegram.
        self.pending = [u for u in self.pending if self._allows(u)]
        return self.pending[:limit]

    async def _wait(self, seconds: float) -> None:
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            return
        finally:
            if self._waiter is waiter:
                self._waiter = None
        if waiter.result() == "conflict":
            raise _ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )


# --------------------------------------------------------------------------- faults


@dataclass
class _Fault:
    method: str
    error: _ApiError
    remaining: int
    chat_id: int | None


@dataclass
class _Bucket:
    """Token bucket: ``capacity`` sends at once, refilled at ``per_second``."""

    capacity: float
    per_second: float
    tokens: float
    stamp: float

    @classmethod
    def allowing(cls, amount: float, window: float) -> _Bucket:
        if amount <= 0:
            raise ValueError("rate limits must be positive (or None for no limit)")
        capacity = max(1.0, amount)
        return cls(capacity, amount / window, capacity, time.monotonic())

    def ready(self, now: float) -> bool:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        self.stamp = now
        return self.tokens >= 1.0


class _RateLimits:
    """Telegram's flood limits: global per second, per chat per second (with a small burst
    for private chats), per group per minute. A refused send gets 429 with `retry_after`
    (fixed, or with ``retry_after=None`` the whole seconds until the limit frees up, as
    Telegram does); a send into a chat before its retry_after has passed is refused again and
    counted as an early retry (``stats["early_retry"]``)."""

    def __init__(
        self,
        global_ps: float | None,
        chat_ps: float | None,
        group_pm: float | None,
        retry: int | None,
        private_burst: int = 1,
        global_burst: int | None = None,
    ) -> None:
        self._global = _Bucket.allowing(global_ps, 1.0) if global_ps is not None else None
        if self._global is not None and global_burst is not None:
            self._global.capacity = self._global.tokens = float(global_burst)
        self._chat_ps = chat_ps
        self._private_burst = private_burst
        self._group_pm = group_pm
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Bucket] = {}
        self.retry_after = retry
        self._chat_until: dict[int, float] = {}
        self._global_until = 0.0

    def check(self, chat_id: int, stats: Counter[str]) -> None:
        now = time.monotonic()
        until = self._chat_until.get(chat_id, 0.0)
        if now < until:  # this chat was told to wait: an early retry
            stats["early_retry"] += 1
            raise self._refusal(math.ceil(until - now))
        if now < self._global_until:  # the bot was told to wait; this chat was not
            stats["429_global"] += 1
            raise self._refusal(math.ceil(self._global_until - now))
        scoped = [
            ("global", self._global),
            ("group" if chat_id < 0 else "private", self._chat(chat_id)),
            ("group", self._group(chat_id)),
        ]
        buckets = [(scope, b) for scope, b in scoped if b is not None]
        failed = [(scope, b) for scope, b in buckets if not b.ready(now)]
        if not failed:
            for _, bucket in buckets:
                bucket.tokens -= 1.0
            return
        scope, bucket = failed[0]
        stats[f"429_{scope}"] += 1
        wait = self.retry_after
        if wait is None:
            wait = max(1, math.ceil((1.0 - bucket.tokens) / bucket.per_second))
        if scope == "global":
            self._global_until = now + wait
        self._chat_until[chat_id] = now + wait
        raise self._refusal(wait)

    @staticmethod
    def _refusal(wait: int) -> _ApiError:
        return _ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _chat(self, chat_id: int) -> _Bucket | None:
        if self._chat_ps is None:
            return None
        if chat_id not in self._chats:
            bucket = _Bucket.allowing(self._chat_ps, 1.0)
            if chat_id > 0 and self._private_burst > 1:
                bucket.capacity = bucket.tokens = float(self._private_burst)
            self._chats[chat_id] = bucket
        return self._chats[chat_id]

    def _group(self, chat_id: int) -> _Bucket | None:
        if self._group_pm is None or chat_id > 0:
            return None
        return self._groups.setdefault(chat_id, _Bucket.allowing(self._group_pm, 60.0))


def _is_send(method: str) -> bool:
    if method.startswith("send"):
        return method != "sendchataction"
    return method in ("copymessage", "copymessages", "forwardmessage", "forwardmessages")


def _writes_to_chat(method: str) -> bool:
    return method.startswith(("send", "copy", "forward", "edit", "pin", "unpin"))


class _FaultPlan:
    """Everything hostile the test asked for, checked before a method runs."""

    def __init__(self) -> None:
        self.blocked: set[int] = set()
        self.left: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.injected: list[_Fault] = []
        self.limits: _RateLimits | None = None
        self.stats: Counter[str] = Counter()  # the server's own, shared with it

    def check(self, method: str, chat_id: int | None, chat_type: str) -> None:
        self._injected(method, chat_id)
        if chat_id is None:
            return
        if chat_id in self.migrated:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if not _writes_to_chat(method):
            return
        if chat_id in self.blocked:
            reason = (
                "blocked by the user"
                if chat_type == "private"
                else f"kicked from the {chat_type} chat"
            )
            raise _ApiError(403, f"Forbidden: bot was {reason}")
        if chat_id in self.left:
            raise _ApiError(403, f"Forbidden: bot is not a member of the {chat_type} chat")
        if self.limits is not None and _is_send(method):
            self.limits.check(chat_id, self.stats)

    def _injected(self, method: str, chat_id: int | None) -> None:
        for fault in self.injected:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.injected.remove(fault)
                raise fault.error


# --------------------------------------------------------------------------- the server


class FakeTelegramServer:
    """The Bot API of one bot, served on 127.0.0.1, with a scriptable user on the other side."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int | None = None,
        bot_username: str = "moc_test_bot",
        latency: float | tuple[float, float] = 0.0,
    ) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(prefix) if prefix.isdigit() else 123456
        self.bot_username = bot_username
        self.latency = latency
        self.url = ""
        self.strict_chats = False  # True: unknown chats get "chat not found" like on Telegram
        self.default_user = FakeUser(100001, "Мария", username="maria_test")
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.user_messages: dict[tuple[int, int], SentMessage] = {}
        self.chats: dict[int, JsonDict] = {}
        self.users: dict[int, FakeUser] = {self.default_user.id: self.default_user}
        self.files: dict[str, FakeFile] = {}
        self.reply_keyboards: dict[int, JsonDict] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.settings: dict[tuple[str, str], Any] = {}
        self.member_status: dict[tuple[int, int], str] = {}
        self.stats: Counter[str] = Counter()
        self.webhook_url = ""
        self._queue = _UpdateQueue()
        self._faults = _FaultPlan()
        self._faults.stats = self.stats
        self._sent_by_chat: defaultdict[int, list[SentMessage]] = defaultdict(list)
        self._read_cursor: Counter[int] = Counter()
        self._last_message_id: Counter[int] = Counter()
        self._by_method: defaultdict[str, list[ApiCall]] = defaultdict(list)
        self._returned: defaultdict[str, set[int]] = defaultdict(set)
        self._open_callbacks: set[str] = set()
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._last_activity = time.monotonic()
        # set by a harness that can see the bot's side: True while an update is being handled
        self.busy: Callable[[], bool] = lambda: False
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._handlers = self._method_table()

    # ----------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("the fake Telegram server is already running")
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a client that gives up a long poll must not leave it waiting
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner, self._closing = runner, False
        self.url = f"http://{host}:{runner.addresses[0][1]}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._queue.wake("closing")
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- driving: the user side

    def user_sends(
        self,
        text: str | None = None,
        *,
        user: FakeUser | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to: SentMessage | None = None,
        extra: JsonDict | None = None,
    ) -> JsonDict:
        """Queue a message from a user; commands get a bot_command entity like on Telegram."""
        user = user or self._user_for_chat(chat_id if chat_type == "private" else None)
        self.users[user.id] = user
        chat = self.add_chat_for(user, chat_id, chat_type, chat_title)
        message: JsonDict = {
            "message_id": self._next_message_id(chat["id"]),
            "date": _now(),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = user.as_dict()
        self._fill_message(message, text, reply_to, extra)
        self.user_messages[(chat["id"], message["message_id"])] = self._incoming(message, user)
        kind = "channel_post" if chat["type"] == "channel" else "message"
        return self.push_update({kind: message})

    def press(
        self, message: SentMessage, button: str, *, user: FakeUser | None = None
    ) -> JsonDict:
        """Queue a callback_query for the inline button with this text or callback_data."""
        current = self._current(message)
        found = current.button(button)
        if found.callback_data is None:
            raise ValueError(f"button {found.text!r} has no callback_data (url={found.url!r})")
        return self.press_data(current, found.callback_data, user=user)

    def press_data(
        self, message: SentMessage, data: str, *, user: FakeUser | None = None
    ) -> JsonDict:
        """Queue a callback_query with arbitrary (possibly forged) data on ``message``."""
        current = self._current(message)
        if current.deleted:
            raise ValueError(f"message {current.message_id} was deleted; nothing to press")
        user = user or self._user_for_chat(current.chat_id)
        query_id = str(next(self._ids) + 4_000_000_000)
        query = {
            "id": query_id,
            "from": user.as_dict(),
            "message": self._message_dict(current),
            "chat_instance": str(abs(current.chat_id) * 7 + 1),
            "data": data,
        }
        self._open_callbacks.add(query_id)
        return self.push_update({"callback_query": query})

    def user_blocks(self, user: FakeUser | None = None) -> JsonDict:
        """The user blocks the bot: sends start failing and a my_chat_member update is queued."""
        user = user or self.default_user
        self.block(user.id)
        bot = self._bot_user()
        change = {
            "chat": self.chats.get(user.id) or _private_chat(user),
            "from": user.as_dict(),
            "date": _now(),
            "old_chat_member": member_payload("member", bot),
            "new_chat_member": member_payload("kicked", bot),
        }
        return self.push_update({"my_chat_member": change})

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update for getUpdates; update_id is assigned when missing."""
        self._queue.push(update)
        self._notify()
        return update

    def add_chat_for(
        self, user: FakeUser, chat_id: int | None, chat_type: str, title: str | None = None
    ) -> JsonDict:
        """Register (or refresh) the chat a user writes from and return its Chat object."""
        if chat_type == "private":
            chat = _private_chat(user, chat_id)
        elif chat_type in DEFAULT_GROUP_IDS:
            cid = chat_id if chat_id is not None else DEFAULT_GROUP_IDS[chat_type]
            known_title = self.chats.get(cid, {}).get("title")
            chat = {"id": cid, "type": chat_type, "title": title or known_title or "Test group"}
        else:
            raise ValueError(f"unknown chat_type {chat_type!r}")
        self.chats[chat["id"]] = chat
        return chat

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for this user in this chat (default "member")."""
        member_payload(status, {})  # validates the status
        self.member_status[(chat_id, user_id)] = status

    # ----------------------------------------------------------------- observing

    def force_reply_shown_to(self, message: SentMessage, user: FakeUser) -> bool:
        """Whether a real client shows ``user`` the reply box of this ForceReply message.

        Selective in a group: only users mentioned in the text (a ``tg://user?id=`` link or
        their @username) and the author of the message it replies to; everyone otherwise.
        """
        markup = message.reply_markup or {}
        if not markup.get("force_reply"):
            return False
        if not markup.get("selective") or self._chat_type(message.chat_id) == "private":
            return True
        links = {e.get("url") for e in message.entities if e.get("type") == "text_link"}
        if f"tg://user?id={user.id}" in links:
            return True
        if user.username and f"@{user.username}".lower() in (message.text or "").lower():
            return True
        replied = self.user_messages.get((message.chat_id, message.reply_to_message_id or 0))
        return replied is not None and replied.sender is not None and replied.sender.id == user.id

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to the chat, in order (deleted ones flagged)."""
        return list(self._sent_by_chat.get(chat_id, []))

    def drain(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages to the chat not yet returned by next_message/drain."""
        sent = self._sent_by_chat.get(chat_id, [])
        fresh = sent[self._read_cursor[chat_id] :]
        self._read_cursor[chat_id] = len(sent)
        return fresh

    def reply_keyboard(self, chat_id: int) -> list[list[str]]:
        """Texts of the reply keyboard currently shown in the chat."""
        rows = self.reply_keyboards.get(chat_id, {}).get("keyboard", [])
        return [[_key_text(key) for key in row] for row in rows]

    def commands_for(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        return self.commands.get(_commands_key(scope, language_code), [])

    def visible_commands(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[str]:
        """The command menu a client shows in `chat_id` (to `user_id` in a group), resolved
        in the order Telegram documents: the narrowest scope set wins, each language first."""
        scopes: list[JsonDict] = []
        if self._chat_type(chat_id) == "private":
            scopes += [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        else:
            status = self.member_status.get((chat_id, user_id or 0), "member")
            admin = user_id is not None and status in ("creator", "administrator")
            if user_id is not None:
                scopes.append({"type": "chat_member", "chat_id": chat_id, "user_id": user_id})
            if admin:
                scopes.append({"type": "chat_administrators", "chat_id": chat_id})
            scopes.append({"type": "chat", "chat_id": chat_id})
            if admin:
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        scopes.append({"type": "default"})
        for scope in scopes:
            for language in dict.fromkeys((language_code, "")):
                found = self.commands.get(_commands_key(scope, language))
                if found is not None:
                    return [str(command["command"]) for command in found]
        return []

    async def next_message(self, chat_id: int, *, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """The next message the bot sent to the chat (per-chat cursor)."""

        def probe() -> SentMessage | None:
            sent = self._sent_by_chat.get(chat_id, [])
            index = self._read_cursor[chat_id]
            if index >= len(sent):
                return None
            self._read_cursor[chat_id] = index + 1
            return sent[index]

        return await self._wait(probe, timeout, lambda: self._report(chat_id, timeout))

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ApiCall:
        """The next call of ``method`` (matching ``predicate``) not returned by wait_for yet.

        Successful getUpdates calls are not recorded, so they cannot be waited for.
        """
        name = method.lower()
        returned = self._returned[name]

        def probe() -> ApiCall | None:
            for call in self._by_method.get(name, []):
                if call.seq not in returned and (predicate is None or predicate(call)):
                    returned.add(call.seq)
                    return call
            return None

        return await self._wait(probe, timeout, lambda: self._calls_report(name, timeout))

    async def callback_answer(self, *, timeout: float = 5.0) -> ApiCall:  # noqa: ASYNC109
        return await self.wait_for("answerCallbackQuery", timeout=timeout)

    async def idle(self, *, quiet: float = 0.2, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was fetched and handled, and no API call came for
        ``quiet`` s.

        "Handled" needs the harness to set ``busy`` (see tests/conftest.py); without it a
        handler that stays silent longer than ``quiet`` (a slow database call) is not seen.
        """
        deadline = time.monotonic() + timeout
        while True:
            waiting = self._queue.undelivered()
            silent = time.monotonic() - self._last_activity
            busy = self.busy()
            if not waiting and silent >= quiet and not busy:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(self._idle_report(waiting, timeout))
            wait = remaining if waiting else min(remaining, max(quiet - silent, 0.01))
            await self._changed_within(wait)

    # ----------------------------------------------------------------- faults

    def block(self, chat_id: int) -> None:
        """Sends to the chat fail with 403 (blocked by the user / kicked from the group)."""
        self._faults.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._faults.blocked.discard(chat_id)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: calls to the old id fail with migrate_to_chat_id."""
        self._faults.migrated[chat_id] = new_chat_id
        title = self.chats.get(chat_id, {}).get("title", "Test group")
        self.chats[new_chat_id] = {"id": new_chat_id, "type": "supergroup", "title": title}

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` (to ``chat_id`` if given) fail this way."""
        if status == 429 and description == "Internal Server Error":
            description = f"Too Many Requests: retry after {retry_after or 1}"
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = _ApiError(status, description, parameters)
        self._faults.injected.append(_Fault(method.lower(), error, count, chat_id))

    def set_rate_limit(
        self,
        *,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        group_per_minute: float | None = None,
        retry_after: int | None = 1,
        private_burst: int = 1,
        global_burst: int | None = None,
    ) -> None:
        """Sends above these rates get 429 with retry_after (None: the seconds until the limit
        frees up); all None switches limits off."""
        limits = (global_per_second, per_chat_per_second, group_per_minute)
        self._faults.limits = (
            _RateLimits(*limits, retry_after, private_burst, global_burst)
            if any(x is not None for x in limits)
            else None
        )

    def telegram_limits(self) -> None:
        """The limits Telegram documents: 30 messages a second per bot (a burst of ten
        passes), about one a second into a private chat (a burst of three), 20 a minute into a
        group; retry_after says how long until the limit frees up; early retries are counted."""
        self.set_rate_limit(
            global_per_second=30, per_chat_per_second=1, group_per_minute=20,
            retry_after=None, private_burst=3, global_burst=10,
        )  # fmt: skip

    def flood_stats(self) -> dict[str, int]:
        """429s by the limit that refused (global, private, group) and early retries."""
        keys = ("429_global", "429_private", "429_group", "early_retry")
        return {key: self.stats[key] for key in keys}

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").payload(), status=401)
        self.stats[method] += 1
        params: JsonDict = {}
        try:
            params, files = await self._read_params(request, method)
            result = await self._call(method, params, files)
        except _ApiError as error:
            return self._refuse(method, params, error)
        except web.HTTPException:
            raise  # e.g. 413 for an upload over MAX_UPLOAD
        except Exception as exc:  # a bug in the fake must fail the test loudly, not hang it
            _log.exception("fake Telegram server failed on %s", method)
            return self._refuse(method, params, _ApiError(500, f"Internal Server Error: {exc!r}"))
        if method != "getupdates":
            self._record(method, params, result=result)
        return web.json_response({"ok": True, "result": result})

    def _refuse(self, method: str, params: JsonDict, error: _ApiError) -> web.Response:
        self.stats[str(error.status)] += 1
        self._record(method, params, error=error)
        return web.json_response(error.payload(), status=error.status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        found = next((f for f in self.files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.json_response(_ApiError(404, "Not Found").payload(), status=404)
        return web.Response(
            body=found.data, content_type=found.content_type or "application/octet-stream"
        )

    async def _read_params(self, request: web.Request, method: str) -> tuple[JsonDict, Files]:
        raw: list[tuple[str, Any]] = list(request.query.items())
        files: Files = {}
        try:
            if request.can_read_body and request.content_type == "application/json":
                body = await request.json()
                raw.extend(body.items() if isinstance(body, dict) else ())
            elif request.can_read_body:
                for key, value in (await request.post()).items():
                    if isinstance(value, FileField):
                        files[key] = self._new_file(
                            value.filename, value.file.read(), value.content_type
                        )
                    else:
                        raw.append((key, value))
        except ValueError as error:
            raise _bad_request(f"can't parse request: {error}") from None
        return decode_params(method, raw), files

    async def _call(self, method: str, params: JsonDict, files: Files) -> Any:
        handler = self._handlers.get(method)
        if handler is None:
            raise _ApiError(404, "Not Found: method not found")
        if _is_send(method):
            await self._delay()
        chat_id = self._param_chat_id(params)
        self._faults.check(method, chat_id, self._chat_type(chat_id))
        result = handler(params, files)
        return await result if isinstance(result, Awaitable) else result

    async def _delay(self) -> None:
        latency = self.latency
        seconds = random.uniform(*latency) if isinstance(latency, tuple) else latency
        if seconds > 0:
            await asyncio.sleep(seconds)

    def _record(
        self, method: str, params: JsonDict, *, result: Any = None, error: _ApiError | None = None
    ) -> None:
        call = ApiCall(
            method=method,
            params=params,
            ok=error is None,
            result=result,
            at=time.monotonic(),
            error_code=error.status if error else None,
            description=error.description if error else None,
            seq=len(self.calls),
        )
        self.calls.append(call)
        self._by_method[method].append(call)
        self._last_activity = call.at
        self._notify()

    # ----------------------------------------------------------------- waiting

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _changed_within(self, seconds: float) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(seconds, 0.0))

    async def _wait(
        self, probe: Callable[[], _T | None], seconds: float, report: Callable[[], str]
    ) -> _T:
        deadline = time.monotonic() + seconds
        while (found := probe()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(report())
            await self._changed_within(remaining)
        return found

    def _report(self, chat_id: int, timeout: float) -> str:
        lines = [f"no new message from the bot to chat {chat_id} within {timeout}s"]
        lines += ["recent conversation:", *self._conversation(chat_id)]
        failures = [c for c in self.calls if not c.ok and self._param_chat_id(c.params) == chat_id]
        lines += [f"  ! {c.method} -> {c.error_code} {c.description}" for c in failures[-5:]]
        if waiting := self._queue.undelivered():
            lines.append(f"{waiting} update(s) never fetched: is the dispatcher polling?")
        return "\n".join(lines)

    def _conversation(self, chat_id: int) -> list[str]:
        keys = [k for k in (*self.user_messages, *self.messages) if k[0] == chat_id]
        lines = []
        for key in sorted(keys)[-10:]:
            sm = self.user_messages.get(key) or self.messages[key]
            who = "user" if sm.sender else "bot "
            buttons = f" {sm.inline_texts}" if sm.inline_texts else ""
            deleted = " (deleted)" if sm.deleted else ""
            lines.append(f"  {who}> [{sm.kind}] {sm.text!r}{buttons}{deleted}")
        return lines or ["  (nothing)"]

    def _calls_report(self, method: str, timeout: float) -> str:
        recent = [f"  {c.method} ok={c.ok} {c.description or ''}" for c in self.calls[-10:]]
        head = f"no new {method} call within {timeout}s; recent calls:"
        return "\n".join([head, *(recent or ["  (none)"])])

    def _idle_report(self, waiting: int, timeout: float) -> str:
        if waiting:
            return f"{waiting} update(s) not fetched within {timeout}s: is the dispatcher polling?"
        return f"the bot kept calling the API for {timeout}s; last: {self.calls[-1].method}"

    # ----------------------------------------------------------------- chats and messages

    def _user_for_chat(self, chat_id: int | None) -> FakeUser:
        if chat_id is None or chat_id < 0:
            return self.default_user
        return self.users.get(chat_id) or FakeUser(chat_id, f"User {chat_id}")

    def _param_chat_id(self, params: JsonDict) -> int | None:
        value = params.get("chat_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:].lower()
            found = (
                c["id"] for c in self.chats.values() if str(c.get("username", "")).lower() == name
            )
            return next(found, None)
        return int(value) if isinstance(value, str) and value.lstrip("-").isdigit() else None

    def _chat_type(self, chat_id: int | None) -> str:
        if chat_id is None:
            return ""
        if chat_id in self.chats:
            return str(self.chats[chat_id]["type"])
        if chat_id > 0:
            return "private"
        return "supergroup" if str(chat_id).startswith("-100") else "group"

    def _chat(self, chat_id: int) -> JsonDict:
        chat = self.chats.get(chat_id)
        if chat is not None:
            return chat
        if self.strict_chats:
            if chat_id > 0:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad_request("chat not found")
        if chat_id > 0:
            chat = _private_chat(self._user_for_chat(chat_id), chat_id)
        else:
            chat = {"id": chat_id, "type": self._chat_type(chat_id), "title": f"Chat {chat_id}"}
        self.chats[chat_id] = chat
        return chat

    def _target_chat(self, params: JsonDict) -> int:
        if params.get("chat_id") in (None, ""):
            raise _bad_request("chat_id is empty")
        chat_id = self._param_chat_id(params)
        if chat_id is None:
            raise _bad_request("chat not found")
        self._chat(chat_id)
        return chat_id

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] += 1
        return self._last_message_id[chat_id]

    def _find(self, chat_id: int, message_id: Any) -> SentMessage | None:
        if not isinstance(message_id, int):
            return None
        key = (chat_id, message_id)
        return self.messages.get(key) or self.user_messages.get(key)

    def _current(self, message: SentMessage) -> SentMessage:
        return self.messages.get((message.chat_id, message.message_id), message)

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Test bot",
            "username": self.bot_username,
        }

    def _fill_message(
        self,
        message: JsonDict,
        text: str | None,
        reply_to: SentMessage | None,
        extra: JsonDict | None,
    ) -> None:
        if text is not None:
            message["text"] = text
            if text.startswith("/") and len(text) > 1:
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
                ]
        if reply_to is not None:
            message["reply_to_message"] = self._message_dict(self._current(reply_to), nested=True)
        for key, value in copy.deepcopy(extra or {}).items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        self._register_file_ids(message)

    def _register_file_ids(self, message: JsonDict) -> None:
        """User-sent files become known file_ids, so the bot may resend them by id."""
        for key in MEDIA_KEYS:
            for item in _walk(message.get(key)):
                file_id = item.get("file_id")
                if isinstance(file_id, str) and file_id not in self.files:
                    name = str(item.get("file_name") or key)
                    self.files[file_id] = FakeFile(
                        file_id=file_id,
                        file_unique_id=str(item.get("file_unique_id", file_id)),
                        filename=name,
                        content_type=item.get("mime_type"),
                        file_path=f"{key}s/{file_id}",
                    )

    def _incoming(self, message: JsonDict, user: FakeUser) -> SentMessage:
        content: JsonDict = {key: message[key] for key in MEDIA_KEYS if key in message}
        document = next((self.files.get(i.get("file_id", "")) for i in _walk(content)), None)
        return SentMessage(
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            text=message.get("text", message.get("caption")),
            entities=message.get("entities") or message.get("caption_entities") or [],
            kind=next(iter(content), "text" if "text" in message else "other"),
            document=document,
            date=message["date"],
            content=content,
            sender=user,
            raw=message,
        )

    def _message_dict(self, sm: SentMessage, *, nested: bool = False) -> JsonDict:
        """The wire Message for a stored message, as Telegram returns it."""
        if sm.raw is not None:
            return (
                {k: v for k, v in sm.raw.items() if k != "reply_to_message"} if nested else sm.raw
            )
        out: JsonDict = {
            "message_id": sm.message_id,
            "from": self._bot_user(),
            "chat": self.chats.get(sm.chat_id)
            or {"id": sm.chat_id, "type": self._chat_type(sm.chat_id)},
            "date": sm.date,
            **sm.content,
        }
        captioned = any(key in CAPTIONED_MEDIA for key in sm.content)
        if sm.text is not None:
            out["caption" if captioned else "text"] = sm.text
            if sm.entities:
                out["caption_entities" if captioned else "entities"] = sm.entities
        optional = {
            "edit_date": sm.edit_date,
            "media_group_id": sm.media_group_id,
            "reply_markup": sm.inline_markup,
        }
        out.update({key: value for key, value in optional.items() if value})
        target = self._find(sm.chat_id, sm.reply_to_message_id)
        if target is not None and not nested:
            out["reply_to_message"] = self._message_dict(target, nested=True)
        return out

    def _outgoing(self, chat_id: int, params: JsonDict, **fields: Any) -> SentMessage:
        """Store a message the bot sends; fields are SentMessage attributes."""
        message = SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            date=_now(),
            parse_mode=params.get("parse_mode"),
            reply_to_message_id=self._reply_target(chat_id, params),
            **fields,
        )
        if message.document is not None:
            self.files[message.document.file_id] = message.document
        self._track_reply_keyboard(chat_id, message.reply_markup)
        self.messages[(chat_id, message.message_id)] = message
        self._sent_by_chat[chat_id].append(message)
        return message

    def _reply_target(self, chat_id: int, params: JsonDict) -> int | None:
        reply = params.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = self._find(chat_id, message_id)
        if target is not None and not target.deleted:
            return int(message_id)
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return None
        raise _bad_request("message to be replied not found")

    def _new_file(self, filename: str | None, data: bytes, content_type: str | None) -> FakeFile:
        number = next(self._ids)
        name = filename or f"file_{number}"
        suffix = name[name.rfind(".") :] if "." in name else ""
        return FakeFile(
            f"FAKE-FILE-{number}", f"fake-u-{number}", name, data, content_type,
            f"documents/file_{number}{suffix}",
        )  # fmt: skip

    # ----------------------------------------------------------------- validation helpers

    def _render_text(self, params: JsonDict, too_long: str) -> tuple[str, list[JsonDict]]:
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise _bad_request("message text is empty")
        plain, entities = render_markup(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _bad_request("message text is empty")
        if len(plain) > MAX_TEXT:
            raise _bad_request(too_long)
        return plain, entities

    def _render_caption(self, params: JsonDict) -> tuple[str | None, list[JsonDict]]:
        caption = params.get("caption")
        if not caption:
            return None, []
        entities = params.get("caption_entities")
        plain, parsed = render_markup(str(caption), params.get("parse_mode"), entities)
        if len(plain) > MAX_CAPTION:
            raise _bad_request("message caption is too long")
        return plain, parsed

    def _markup(self, params: JsonDict) -> JsonDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        return markup

    def _track_reply_keyboard(self, chat_id: int, markup: JsonDict | None) -> None:
        """A reply keyboard stays in the chat until another one or remove_keyboard is sent."""
        if markup is not None and "keyboard" in markup:
            self.reply_keyboards[chat_id] = markup
        elif markup is not None and markup.get("remove_keyboard"):
            self.reply_keyboards.pop(chat_id, None)

    def _inline_markup(self, params: JsonDict) -> JsonDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            raise _bad_request("REPLY_MARKUP_INVALID")
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup if markup["inline_keyboard"] else None

    def _input_file(self, value: Any, files: Files, kind: str) -> FakeFile:
        if value is None and kind in files:
            return files[kind]  # uploaded directly under the parameter's own name
        if not value:
            raise _bad_request(f"there is no {kind} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            uploaded = files.get(value.removeprefix("attach://"))
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            uploaded = self._new_file(value.rsplit("/", 1)[-1] or kind, b"", None)
        else:
            uploaded = self.files.get(str(value))
        if uploaded is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        return uploaded

    def _editable(self, params: JsonDict) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        chat_id = self._target_chat(params)
        message_id = params.get("message_id")
        if (chat_id, message_id) in self.user_messages:
            raise _bad_request("message can't be edited")
        message = self.messages.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        return message

    def _apply_edit(
        self,
        sm: SentMessage,
        text: str | None,
        entities: list[JsonDict],
        markup: JsonDict | None,
        raw: Any,
    ) -> JsonDict:
        if text == sm.text and entities == sm.entities and markup == sm.inline_markup:
            raise _bad_request(NOT_MODIFIED)
        if text != sm.text:
            sm.history.append(sm.text or "")
        sm.text, sm.entities, sm.reply_markup, sm.raw_text = text, entities, markup, raw
        sm.edit_date = _now()
        return self._message_dict(sm)

    # ----------------------------------------------------------------- Bot API methods

    def _method_table(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "logout": _true,
            "close": _true,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": self._get_my_commands,
            "setmydefaultadministratorrights": _true,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendmediagroup": self._send_media_group,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "leavechat": self._leave_chat,
            "pinchatmessage": self._pin_chat_message,
            "unpinchatmessage": self._unpin_chat_message,
            "unpinallchatmessages": self._unpin_all_chat_messages,
            "getfile": self._get_file,
        }
        for kind in MEDIA_KINDS:
            table["send" + kind.replace("_", "")] = self._media_sender(kind)
        for name, key in (
            ("description", "description"),
            ("shortdescription", "short_description"),
            ("name", "name"),
        ):
            table[f"setmy{name}"] = functools.partial(self._set_setting, key)
            table[f"getmy{name}"] = functools.partial(self._get_setting, key)
        table["setchatmenubutton"] = self._set_menu_button
        table["getchatmenubutton"] = self._get_menu_button
        return table

    def _get_me(self, params: JsonDict, files: Files) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JsonDict, files: Files) -> list[JsonDict]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        batch = await self._queue.poll(params, closing=self._closing)
        if batch:
            self.stats["updates_delivered"] += len(batch)
            self._last_activity = time.monotonic()
            self._notify()
        return batch

    def _set_webhook(self, params: JsonDict, files: Files) -> bool:
        if params.get("drop_pending_updates") is True:
            self._queue.pending.clear()
        self.webhook_url = str(params.get("url") or "")  # an empty url removes the webhook
        return True

    def _delete_webhook(self, params: JsonDict, files: Files) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") is True:
            self._queue.pending.clear()
        return True

    def _get_webhook_info(self, params: JsonDict, files: Files) -> JsonDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue.pending),
        }

    def _set_my_commands(self, params: JsonDict, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            _check_command(command)
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        self.commands[key] = commands
        return True

    def _delete_my_commands(self, params: JsonDict, files: Files) -> bool:
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JsonDict, files: Files) -> list[JsonDict]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    def _set_setting(self, key: str, params: JsonDict, files: Files) -> bool:
        limit = _SETTING_LIMITS.get(key, 0)
        if limit and len(str(params.get(key) or "")) > limit:
            raise _bad_request(f"{key.upper()}_INVALID")  # Telegram's limits: 512, 120, 64
        self.settings[(key, params.get("language_code") or "")] = params.get(key) or ""
        return True

    def _get_setting(self, key: str, params: JsonDict, files: Files) -> JsonDict:
        return {key: self.settings.get((key, params.get("language_code") or ""), "")}

    def _set_menu_button(self, params: JsonDict, files: Files) -> bool:
        self.settings[("menu_button", str(params.get("chat_id") or ""))] = params.get(
            "menu_button"
        )
        return True

    def _get_menu_button(self, params: JsonDict, files: Files) -> Any:
        stored = self.settings.get(("menu_button", str(params.get("chat_id") or "")))
        return stored or {"type": "default"}

    def _send_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        text, entities = self._render_text(params, too_long="message is too long")
        markup = self._markup(params)
        sm = self._outgoing(
            chat_id,
            params,
            text=text,
            raw_text=params["text"],
            entities=entities,
            reply_markup=markup,
        )
        return self._message_dict(sm)

    def _media_sender(self, kind: str) -> Handler:
        def send(params: JsonDict, files: Files) -> JsonDict:
            chat_id = self._target_chat(params)
            file = self._input_file(params.get(kind), files, kind)
            caption, entities = self._render_caption(params)
            markup = self._markup(params)
            sm = self._outgoing(
                chat_id, params, kind=kind, text=caption, raw_text=params.get("caption"),
                entities=entities, reply_markup=markup, document=file,
                content={kind: media_payload(kind, file)},
            )  # fmt: skip
            return self._message_dict(sm)

        return send

    def _send_media_group(self, params: JsonDict, files: Files) -> list[JsonDict]:
        chat_id = self._target_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not media:
            raise _bad_request("there is no media in the request")
        prepared = [self._group_item(item, files) for item in media]
        group_id = str(next(self._ids) + 9_000_000)
        sent = [
            self._outgoing(chat_id, params, media_group_id=group_id, **fields)
            for fields in prepared
        ]
        return [self._message_dict(sm) for sm in sent]

    def _group_item(self, item: Any, files: Files) -> JsonDict:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in MEDIA_KINDS:
            raise _bad_request("wrong media type in the media group")
        file = self._input_file(item.get("media"), files, kind)
        caption, entities = self._render_caption(item)
        return {
            "kind": kind, "text": caption, "raw_text": item.get("caption"), "entities": entities,
            "document": file, "content": {kind: media_payload(kind, file)},
        }  # fmt: skip

    def _copy_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        source = self._source(params, "copy")
        text, entities = source.text, source.entities
        if "caption" in params:
            text, entities = self._render_caption(params)
        markup = self._markup(params)
        sm = self._outgoing(
            chat_id, params, kind="copy", text=text, raw_text=text, entities=entities,
            reply_markup=markup, document=source.document, content=dict(source.content),
            source=(source.chat_id, source.message_id),
        )  # fmt: skip
        return {"message_id": sm.message_id}

    def _forward_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        source = self._source(params, "forward")
        sender = source.sender.as_dict() if source.sender else self._bot_user()
        origin = {"type": "user", "sender_user": sender, "date": source.date}
        sm = self._outgoing(
            chat_id, params, kind="forward", text=source.text, raw_text=source.text,
            entities=source.entities, document=source.document,
            content={**source.content, "forward_origin": origin},
            source=(source.chat_id, source.message_id),
        )  # fmt: skip
        return self._message_dict(sm)

    def _source(self, params: JsonDict, verb: str) -> SentMessage:
        from_chat = self._param_chat_id({"chat_id": params.get("from_chat_id")})
        source = self._find(from_chat, params.get("message_id")) if from_chat is not None else None
        if source is None or source.deleted:
            raise _bad_request(f"message to {verb} not found")
        return source

    def _edit_message_text(self, params: JsonDict, files: Files) -> JsonDict:
        sm = self._editable(params)
        if any(key in CAPTIONED_MEDIA for key in sm.content) or (sm.content and sm.text is None):
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._render_text(params, too_long="MESSAGE_TOO_LONG")
        sm.parse_mode = params.get("parse_mode")
        return self._apply_edit(sm, text, entities, self._inline_markup(params), params["text"])

    def _edit_message_caption(self, params: JsonDict, files: Files) -> JsonDict:
        sm = self._editable(params)
        if not any(key in CAPTIONED_MEDIA for key in sm.content):
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._render_caption(params)
        markup = self._inline_markup(params)
        return self._apply_edit(sm, caption, entities, markup, params.get("caption"))

    def _edit_message_reply_markup(self, params: JsonDict, files: Files) -> JsonDict:
        sm = self._editable(params)
        markup = self._inline_markup(params)
        return self._apply_edit(sm, sm.text, sm.entities, markup, sm.raw_text)

    def _delete_message(self, params: JsonDict, files: Files) -> bool:
        sm = self._find(self._target_chat(params), params.get("message_id"))
        if sm is None or sm.deleted:
            raise _bad_request("message to delete not found")
        sm.deleted = True
        return True

    def _delete_messages(self, params: JsonDict, files: Files) -> bool:
        chat_id = self._target_chat(params)
        for message_id in params.get("message_ids") or []:
            if (sm := self._find(chat_id, message_id)) is not None:
                sm.deleted = True
        return True

    def _answer_callback_query(self, params: JsonDict, files: Files) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        return True

    def _send_chat_action(self, params: JsonDict, files: Files) -> bool:
        self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, params: JsonDict, files: Files) -> JsonDict:
        return chat_full_info(self._chat(self._target_chat(params)))

    def _member_user(self, user_id: Any) -> JsonDict:
        if user_id == self.bot_id:
            return self._bot_user()
        user = self.users.get(user_id) if isinstance(user_id, int) else None
        return (
            user.as_dict()
            if user
            else {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )

    def _get_chat_member(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad_request("invalid user_id specified")
        status = self.member_status.get((chat_id, user_id), "member")
        return member_payload(status, self._member_user(user_id))

    def _get_chat_administrators(self, params: JsonDict, files: Files) -> list[JsonDict]:
        chat_id = self._target_chat(params)
        if self._chat_type(chat_id) == "private":
            raise _bad_request("there are no administrators in the private chat")
        return [
            member_payload(status, self._member_user(user_id))
            for (chat, user_id), status in self.member_status.items()
            if chat == chat_id and status in ("creator", "administrator")
        ]

    def _leave_chat(self, params: JsonDict, files: Files) -> bool:
        self._faults.left.add(self._target_chat(params))
        return True

    def _pin_chat_message(self, params: JsonDict, files: Files) -> bool:
        sm = self._find(self._target_chat(params), params.get("message_id"))
        if sm is None or sm.deleted:
            raise _bad_request("message to pin not found")
        sm.pinned = True
        return True

    def _unpin_chat_message(self, params: JsonDict, files: Files) -> bool:
        chat_id = self._target_chat(params)
        pinned = [m for m in self._all_in_chat(chat_id) if m.pinned]
        if params.get("message_id") is not None:
            pinned = [m for m in pinned if m.message_id == params["message_id"]]
        if pinned:
            max(pinned, key=lambda m: m.message_id).pinned = False
        return True

    def _unpin_all_chat_messages(self, params: JsonDict, files: Files) -> bool:
        for message in self._all_in_chat(self._target_chat(params)):
            message.pinned = False
        return True

    def _all_in_chat(self, chat_id: int) -> Iterator[SentMessage]:
        for store in (self.messages, self.user_messages):
            yield from (m for (chat, _), m in store.items() if chat == chat_id)

    def _get_file(self, params: JsonDict, files: Files) -> JsonDict:
        found = self.files.get(str(params.get("file_id") or ""))
        if found is None:
            raise _bad_request("invalid file_id")
        result: JsonDict = {"file_id": found.file_id, "file_unique_id": found.file_unique_id}
        if found.data:
            result["file_size"] = len(found.data)
        return {**result, "file_path": found.file_path}


# --------------------------------------------------------------------------- small helpers


def _true(params: JsonDict, files: Files) -> bool:
    return True


def _walk(value: Any) -> Iterator[JsonDict]:
    """Every dict inside a media field (a PhotoSize list, a Document…)."""
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


_SETTING_LIMITS = {"description": 512, "short_description": 120, "name": 64}


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise _bad_request("can't parse BotCommand JSON object")
    if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
        raise _bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(str(command.get("description") or "")) <= 256:
        raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            "can't parse inline keyboard button: "
            'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(action in button for action in BUTTON_ACTIONS):
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 0 < len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise _bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not url or any(ch in _SPACES for ch in str(url))):
        raise _bad_request("BUTTON_URL_INVALID")
