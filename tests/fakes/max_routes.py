"""The fake MAX server's methods: one function per documented path, each checking what MAX checks.

Errors follow the schema's `Error` object (`{"code", "message"}`); 400s use `proto.payload`
(the issue's observed code for a malformed body), 404s `not.found`, 403s `chat.denied`.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from tests.fakes.max_model import (
    BUTTON_TYPES,
    BUTTONS_LIMIT,
    COMMANDS_LIMIT,
    ROW_LIMIT,
    ROWS_LIMIT,
    SECRET,
    TEXT_LIMIT,
    UPDATE_TYPES,
    WIDE_BUTTONS,
    WIDE_ROW_LIMIT,
    ApiError,
    FakeChat,
    JsonDict,
    Message,
    dialog_chat_id,
    html_problems,
    now_ms,
)

if TYPE_CHECKING:
    from tests.fakes.max_api import FakeMaxServer

OK: JsonDict = {"success": True}
EDIT_WINDOW_MS = 7 * 24 * 3600 * 1000


def bad(message: str) -> ApiError:
    return ApiError(400, "proto.payload", message)


async def route(
    srv: FakeMaxServer, method: str, path: str, query: dict[str, str], body: JsonDict
) -> JsonDict:
    key = (method, path)
    if key == ("GET", "/me"):
        return srv.bot.json() | {"description": "Бот МОЦ", "commands": srv.commands}
    if key == ("PATCH", "/me/commands"):
        return set_commands(srv, body)
    if key == ("GET", "/updates"):
        return await get_updates(srv, query)
    if path == "/subscriptions":
        return subscriptions(srv, method, query, body)
    if key == ("POST", "/messages"):
        return send_message(srv, query, body)
    if key == ("PUT", "/messages"):
        edit(srv, _message(srv, query), body)
        return OK
    if key == ("DELETE", "/messages"):
        _message(srv, query).deleted = True
        return OK
    if key == ("POST", "/answers"):
        return answer(srv, query, body)
    if key == ("POST", "/uploads"):
        return upload_url(srv, query)
    if method == "GET" and path.startswith("/chats/"):
        tail = path.removeprefix("/chats/")
        chat = srv.chats.get(int(tail)) if tail.lstrip("-").isdigit() else None
        if chat is None:
            raise ApiError(404, "not.found", f"Chat {tail} not found")
        return chat.json()
    if path == "/chats" and method == "GET":  # removed in June 2026 (see the issue)
        raise ApiError(404, "not.found", "Method is not supported")
    raise ApiError(404, "not.found", f"Path {path} not found")


# ----------------------------------------------------------------- updates and webhooks


async def get_updates(srv: FakeMaxServer, query: dict[str, str]) -> JsonDict:
    limit = _int(query, "limit", 100, 1, 1000)
    timeout = _int(query, "timeout", 30, 0, 90)
    types = {t for t in query.get("types", "").split(",") if t}
    if unknown := types - UPDATE_TYPES:
        raise bad(f"Unknown update types: {sorted(unknown)}")
    if "marker" in query and query["marker"] not in ("", "null"):
        srv._confirmed = max(srv._confirmed, _int(query, "marker", 0, 0, 2**62))
    start = srv._confirmed
    deadline = time.monotonic() + timeout
    while True:
        pending = [(seq, u) for seq, u in srv._updates if seq >= start]
        chosen = [(s, u) for s, u in pending if not types or u["update_type"] in types][:limit]
        if chosen or time.monotonic() >= deadline:
            break
        await srv._wait_change(deadline)
    # what was skipped by `types` before the last chosen update is passed over too
    marker = chosen[-1][0] + 1 if chosen else (pending[-1][0] + 1 if pending else start)
    if not chosen and pending and types:
        srv._confirmed = marker
    return {"updates": [u for _, u in chosen], "marker": marker}


def subscriptions(
    srv: FakeMaxServer, method: str, query: dict[str, str], body: JsonDict
) -> JsonDict:
    if method == "GET":
        return {"subscriptions": srv.subscriptions}
    if method == "DELETE":
        url = query.get("url")
        if not url:
            raise bad("url is required")
        srv.subscriptions[:] = [s for s in srv.subscriptions if s["url"] != url]
        return OK
    if method != "POST":
        raise ApiError(405, "method.not.allowed", f"{method} /subscriptions")
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(
        ("https://", "http://") if srv.allow_http_webhooks else "https://"
    ):
        raise bad("url must start with https://")
    secret = body.get("secret")
    if secret is not None and not SECRET.fullmatch(str(secret)):
        raise bad("secret: 5–256 characters of A-Z a-z 0-9 _ -")
    types = body.get("update_types")
    if types is not None and set(types) - UPDATE_TYPES:
        raise bad("Unknown update types")
    srv.subscriptions[:] = [s for s in srv.subscriptions if s["url"] != url]
    srv.subscriptions.append(
        {"url": url, "time": int(time.time() * 1000), "update_types": types, "secret": secret}
    )
    return OK


def set_commands(srv: FakeMaxServer, body: JsonDict) -> JsonDict:
    """PATCH /me/commands (dev.max.ru): at most 32, name 1–64, description absent or 1–128;
    an empty list removes them all."""
    commands = body.get("commands")
    if not isinstance(commands, list) or len(commands) > COMMANDS_LIMIT:
        raise bad(f"commands: a list of at most {COMMANDS_LIMIT}")
    for command in commands:
        name = command.get("name") if isinstance(command, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise bad("command name: 1–64 characters")
        description = command.get("description")
        if description is not None and not (
            isinstance(description, str) and 1 <= len(description) <= 128
        ):
            raise bad("command description: 1–128 characters")
    srv.commands = [dict(c) for c in commands] or None
    return {"commands": srv.commands}


# ----------------------------------------------------------------- messages


def send_message(srv: FakeMaxServer, query: dict[str, str], body: JsonDict) -> JsonDict:
    chat = _target(srv, query)
    text, fmt, attachments = _new_body(srv, body)
    _consume_tokens(srv, attachments)
    message = srv._message(chat, srv.bot, text or "", fmt, attachments)
    message.notify = body.get("notify", True) is not False
    srv.sent.append(message)
    answer = message.json()
    if srv.seq_in_answers is not ...:
        answer["body"] = {**answer["body"], "seq": srv.seq_in_answers}
    return {"message": answer}


def edit(srv: FakeMaxServer, message: Message, body: JsonDict) -> None:
    if message.sender is not srv.bot:
        raise ApiError(403, "access.denied", "Only the bot's own messages can be edited")
    if message.chat.status != "active":  # as a send there: the user stopped the dialog
        raise ApiError(
            403, "chat.denied", f"Key: error.dialog.suspended, args: [{message.chat_id},]."
        )
    # dev.max.ru PUT /messages: in a dialog, a message without buttons is edited only within
    # 7 days; MAX does not document the error, the fake's is `srv.too_old_error`
    week_ago = now_ms() - EDIT_WINDOW_MS
    if message.chat.type == "dialog" and not message.buttons() and message.timestamp < week_ago:
        raise ApiError(*srv.too_old_error)
    text, fmt, attachments = _new_body(srv, body, editing=True)
    if body.get("text") is not None:
        message.text, message.format = text or "", fmt
    if body.get("attachments") is not None:
        message.attachments = attachments
    message.edits += 1


def answer(srv: FakeMaxServer, query: dict[str, str], body: JsonDict) -> JsonDict:
    callback_id = query.get("callback_id", "")
    message = srv._callbacks.get(callback_id)
    if message is None:
        raise bad(f"Unknown callback_id {callback_id!r}")
    if body.get("message") is None and body.get("notification") is None:
        raise bad("Either message or notification is required")
    if body.get("message") is not None:
        edit(srv, message, body["message"])
    srv.answers.append((callback_id, body))
    return OK


def upload_url(srv: FakeMaxServer, query: dict[str, str]) -> JsonDict:
    kind = query.get("type")
    if kind not in ("image", "video", "audio", "file"):
        raise bad("type must be one of image, video, audio, file")
    upload_id = secrets.token_hex(8)
    srv._upload_urls[upload_id] = kind
    result: JsonDict = {"url": f"{srv.url}/upload/{upload_id}"}
    if kind in ("video", "audio"):  # their token comes with the URL, not after the upload
        result["token"] = upload_id
    return result


# ----------------------------------------------------------------- validation


def _target(srv: FakeMaxServer, query: dict[str, str]) -> FakeChat:
    if ("chat_id" in query) == ("user_id" in query):
        raise bad("Exactly one of chat_id or user_id is required")
    if "user_id" in query:
        chat_id = dialog_chat_id(_int(query, "user_id", 0, 1, 2**62))
    else:
        chat_id = _int(query, "chat_id", 0, -(2**62), 2**62)
    chat = srv.chats.get(chat_id)
    if chat is None:
        raise ApiError(404, "not.found", f"Chat {chat_id} not found")
    if chat.status != "active":
        raise ApiError(403, "chat.denied", f"Key: error.dialog.suspended, args: [{chat_id},].")
    return chat


def _message(srv: FakeMaxServer, query: dict[str, str]) -> Message:
    message = srv.messages.get(query.get("message_id", ""))
    if message is None or message.deleted:
        raise ApiError(404, "not.found", "Message not found")
    return message


def _new_body(
    srv: FakeMaxServer, body: JsonDict, *, editing: bool = False
) -> tuple[str | None, str | None, list[JsonDict]]:
    text, fmt = body.get("text"), body.get("format")
    attachments: list[JsonDict] = body.get("attachments") or []
    if text is not None and not isinstance(text, str):
        raise bad("text must be a string")
    if text is not None and len(text) > TEXT_LIMIT:
        raise bad(f"text: size must be between 0 and {TEXT_LIMIT}")
    if fmt not in (None, "html", "markdown"):
        raise bad("format must be html or markdown")
    if not editing and not text and not attachments:
        raise bad("Message must have text or attachments")
    if fmt == "html" and text and srv.strict_html and (problems := html_problems(text)):
        raise bad("HTML: " + "; ".join(problems))
    for attachment in attachments:
        _check_attachment(srv, attachment)
    return text, fmt, attachments


def _check_attachment(srv: FakeMaxServer, attachment: Any) -> None:
    if not isinstance(attachment, dict) or "type" not in attachment:
        raise bad("attachment must be an object with type")
    kind, payload = attachment["type"], attachment.get("payload") or {}
    if kind == "inline_keyboard":
        _check_keyboard(payload.get("buttons"))
    elif kind in ("file", "image", "video", "audio"):
        if "url" in payload and kind == "image":
            return
        if payload.get("token") not in srv.uploads:
            raise bad(f"{kind}: unknown upload token")
    else:
        raise bad(f"attachment type {kind!r} is not supported by this fake")


def _check_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not rows or len(rows) > ROWS_LIMIT:
        raise bad(f"buttons: 1–{ROWS_LIMIT} rows")
    if sum(len(row) for row in rows) > BUTTONS_LIMIT:
        raise bad(f"buttons: at most {BUTTONS_LIMIT}")
    for row in rows:
        wide = any(b.get("type") in WIDE_BUTTONS for b in row)
        limit = WIDE_ROW_LIMIT if wide else ROW_LIMIT
        if not row or len(row) > limit:
            raise bad(f"buttons: 1–{limit} in a row")
        for button in row:
            _check_button(button)


def _check_button(button: JsonDict) -> None:
    kind, text = button.get("type"), button.get("text")
    if kind not in BUTTON_TYPES:
        raise bad(f"button type {kind!r}")
    if not isinstance(text, str) or not 1 <= len(text) <= 128:
        raise bad("button text: 1–128 characters")
    if kind == "callback" and not 1 <= len(str(button.get("payload") or "")) <= 1024:
        raise bad("callback payload: 1–1024 characters")
    if kind == "link":
        url = str(button.get("url") or "")
        if not url.startswith(("https://", "http://")) or len(url) > 2048:
            raise bad("link url: http(s), at most 2048 characters")


def _consume_tokens(srv: FakeMaxServer, attachments: list[JsonDict]) -> None:
    """A file just uploaded is still being processed: MAX answers attachment.not.ready."""
    for attachment in attachments:
        token = (attachment.get("payload") or {}).get("token")
        if token and srv._fresh_tokens.get(token, 0) > 0:
            srv._fresh_tokens[token] -= 1
            raise ApiError(
                400, "attachment.not.ready", "Key: errors.process.attachment.file.not.processed"
            )


def _int(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    assert raw is not None
    try:
        value = int(raw)
    except ValueError:
        raise bad(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise bad(f"{name} must be between {low} and {high}")
    return value
