"""The fake MAX world's data: users, chats, messages, errors and MAX's documented limits.

Limits: text ≤ 4000 (NewMessageBody.text maxLength), HTML tags that MAX keeps (docs-api «HTML
support»), keyboard ≤ 210 buttons in ≤ 30 rows, ≤ 7 per row and ≤ 3 in a row with link /
request_contact / open_app / geo buttons (dev.max.ru «Клавиатура для чат-бота», quoted by the
max-messenger PHP client and others), button text ≤ 128, callback payload ≤ 1024, URL ≤ 2048.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Final

JsonDict = dict[str, Any]

TEXT_LIMIT: Final = 4000
ROWS_LIMIT: Final = 30
BUTTONS_LIMIT: Final = 210
ROW_LIMIT: Final = 7
WIDE_ROW_LIMIT: Final = 3  # a row holding a link / request_contact / open_app / geo button
COMMANDS_LIMIT: Final = 32  # PATCH /me/commands
WIDE_BUTTONS: Final = frozenset({"link", "request_contact", "open_app", "request_geo_location"})
BUTTON_TYPES: Final = WIDE_BUTTONS | {"callback", "message", "clipboard", "chat"}
HTML_TAGS: Final = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "del", "a", "code", "pre", "mark", "h1", "br"}
)
UPDATE_TYPES: Final = frozenset(
    {
        "message_created", "message_callback", "message_edited", "message_removed",
        "bot_added", "bot_removed", "bot_started", "bot_stopped", "user_added", "user_removed",
        "chat_title_changed", "message_chat_created", "dialog_muted", "dialog_unmuted",
        "dialog_cleared", "dialog_removed",
        # webhook only, says MAX (maxapi BotAdminPermissionsChanged); the fake polls it too
        "bot_admin_permissions_changed",
    }
)  # fmt: skip
SECRET = re.compile(r"[a-zA-Z0-9_-]{5,256}")


class ApiError(Exception):
    """Raised inside a handler; becomes MAX's error body ``{"code", "message"}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def now_ms() -> int:
    return int(time.time() * 1000)


def dialog_chat_id(user_id: int) -> int:
    """The fake's id for the bot's dialog with a user: a large negative, never the user id."""
    return -(70_000_000_000 + user_id)


@dataclass
class MaxUser:
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False

    def json(self) -> JsonDict:
        name = f"{self.first_name} {self.last_name or ''}".strip()
        return {
            "user_id": self.user_id, "first_name": self.first_name,
            "last_name": self.last_name, "username": self.username, "is_bot": self.is_bot,
            "last_activity_time": now_ms(), "name": name,
        }  # fmt: skip


@dataclass
class FakeChat:
    chat_id: int
    type: str  # "dialog", "chat" or "channel"
    title: str | None = None
    status: str = "active"  # "active", "removed", "left", "closed"
    dialog_with: MaxUser | None = None
    owner_id: int | None = None

    def json(self) -> JsonDict:
        return {
            "chat_id": self.chat_id, "type": self.type, "status": self.status,
            "title": self.title, "icon": None, "last_event_time": now_ms(),
            "participants_count": 2 if self.type == "dialog" else 10, "owner_id": self.owner_id,
            "is_public": False, "link": None, "description": None,
            "dialog_with_user": self.dialog_with.json() if self.dialog_with else None,
        }  # fmt: skip


@dataclass
class Message:
    """A message in the fake's world: sent by the bot, or written by a user."""

    mid: str
    seq: int
    chat: FakeChat
    sender: MaxUser
    text: str
    format: str | None = None
    attachments: list[JsonDict] = field(default_factory=list)
    notify: bool = True
    timestamp: int = field(default_factory=now_ms)
    edits: int = 0
    deleted: bool = False
    to_user: int | None = None  # in a dialog: the other side (the user, or the bot)
    link: JsonDict | None = None  # a forwarded or replied-to message (LinkedMessage)
    markup: list[JsonDict] | None = None  # MAX's MarkupElement list (a user_mention…)

    @property
    def chat_id(self) -> int:
        return self.chat.chat_id

    @property
    def plain(self) -> str:
        """The text as a reader sees it: tags removed, entities decoded (for assertions)."""
        return _visible(self.text) if self.format == "html" else self.text

    def buttons(self) -> list[list[JsonDict]]:
        for attachment in self.attachments:
            if attachment.get("type") == "inline_keyboard":
                rows: list[list[JsonDict]] = attachment["payload"]["buttons"]
                return rows
        return []

    def button(self, text: str) -> JsonDict:
        for row in self.buttons():
            for button in row:
                if button["text"] == text:
                    return button
        raise LookupError(f"no button {text!r} under {self.mid}: {self.buttons()}")

    def json(self) -> JsonDict:
        return {
            "sender": self.sender.json(),
            "recipient": {"chat_id": self.chat_id, "chat_type": self.chat.type,
                          "user_id": self.to_user},
            "timestamp": self.timestamp,
            "link": self.link,
            "body": {"mid": self.mid, "seq": self.seq, "text": self.text,
                     "attachments": self.attachments, "markup": self.markup},
        }  # fmt: skip


class _TagCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        elif tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> without href")
        if tag != "br":
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_problems(text: str) -> list[str]:
    check = _TagCheck()
    check.feed(text)
    check.close()
    return check.problems + [f"unclosed <{tag}>" for tag in check.stack]


def _visible(text: str) -> str:
    check = _TagCheck()
    check.feed(text)
    check.close()
    return "".join(check.text)
