"""The fake Telegram Bot API's data: what a user and a chat see, the wire shapes Telegram
returns, its limits and its error responses (the server is tests/fakes/telegram_api.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from aiogram.types import (
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    TelegramObject,
)

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
SPACES: Final = " \t\r\n\v\f"
COMMAND_NAME: Final = re.compile(r"[a-z0-9_]{1,32}")


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
        return [[key_text(key) for key in row] for row in rows]

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


def key_text(key: Any) -> str:
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


def unix_now() -> int:
    return int(time.time())


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def private_chat(user: FakeUser, chat_id: int | None = None) -> JsonDict:
    chat: JsonDict = {"id": user.id if chat_id is None else chat_id, "type": "private"}
    chat["first_name"] = user.first_name
    if user.last_name:
        chat["last_name"] = user.last_name
    if user.username:
        chat["username"] = user.username
    return chat


def update_type(update: JsonDict) -> str:
    return next((key for key in update if key != "update_id"), "")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
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


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def walk_media(value: Any) -> Iterator[JsonDict]:
    """Every dict inside a media field (a PhotoSize list, a Document…)."""
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from walk_media(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk_media(inner)
