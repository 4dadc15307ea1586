"""A fake MAX Bot API server speaking real HTTP on 127.0.0.1.

Written from the official OpenAPI schema (github.com/max-messenger-handlers/max-bot-api-schemas,
snapshot 2026-07-01, the same text as dev.max.ru/docs-api) and what the maxapi library
(github.com/love-apples/maxapi) actually sends. Where the docs are silent the fake makes a
documented choice (see `docs/max-design.md`):

* the token is read only from the ``Authorization`` header (no ``Bearer``); anything else → 401
  ``verify.token``;
* ``GET /updates``: every update has a sequence number; ``marker=M`` confirms everything before
  ``M`` and returns what comes from ``M`` on; no marker returns whatever is not confirmed yet;
  the answer's ``marker`` points at the next update. With a webhook subscription the updates go
  to the webhook (with ``X-Max-Bot-Api-Secret``) and long polling stays empty;
* HTML is checked strictly (MAX silently strips unknown tags; a test wants to see the mistake);
* limits: ``set_limits(per_chat=2, global_rps=30)`` turns on 429 ``too.many.requests``: two
  sends, two edits, two deletions and two press answers a second in one chat (the POST, PUT
  and DELETE /messages and POST /answers pages), 30 requests a second in all;
* 403 ``chat.denied`` for a blocked dialog or a group the bot was removed from.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import ClientSession, ClientTimeout, hdrs, web
from aiohttp.multipart import parse_content_disposition

from tests.fakes.max_model import (
    ApiError,
    FakeChat,
    JsonDict,
    MaxUser,
    Message,
    dialog_chat_id,
    now_ms,
)
from tests.fakes.max_routes import route


@dataclass(frozen=True)
class ApiCall:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int


class FakeMaxServer:
    """The Bot API of one MAX bot on 127.0.0.1, with scriptable users on the other side."""

    def __init__(
        self,
        token: str = "max-test-token",
        *,
        bot_id: int = 9000001,
        bot_username: str = "moc_test_bot",
        strict_html: bool = True,
    ) -> None:
        self.token = token
        self.bot = MaxUser(bot_id, "МОЦ бот", username=bot_username, is_bot=True)
        self.strict_html = strict_html
        self.url = ""
        self.calls: list[ApiCall] = []
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[str, Message] = {}
        self.sent: list[Message] = []  # by the bot, in order
        self.answers: list[tuple[str, JsonDict]] = []
        self.subscriptions: list[JsonDict] = []
        self.commands: list[JsonDict] | None = None  # PATCH /me/commands; GET /me shows them
        self.webhook_deliveries: list[tuple[str, int]] = []
        # MAX delivers an update again when the webhook does not answer 200 (60 s, then ×2.5,
        # for 8 hours); the pauses here, none by default
        self.webhook_retries: list[float] = []
        self.uploads: dict[str, tuple[str, bytes]] = {}  # token → (filename, data)
        self.allow_http_webhooks = False
        self.not_ready_sends = 0  # sends with a fresh upload token refused as not ready
        self.per_chat_rate: float | None = None
        self.global_rate: float | None = None
        # (min, max) seconds between accepting a send and answering it: a process killed in
        # that window has delivered a message it never heard back about
        self.send_latency: tuple[float, float] | None = None
        # the `seq` a send's answer shows instead of the message's own (a proxy in between, a
        # changed API: "12a", "", None); the message itself is sent as usual
        self.seq_in_answers: Any = ...
        # an edit of a dialog message older than MAX edits (7 days, no buttons): undocumented
        self.too_old_error: tuple[int, str, str] = (400, "edit.forbidden", "Message is too old")
        self._updates: list[tuple[int, JsonDict]] = []
        self._confirmed = 1
        self._seq = itertools.count(1)
        self._msg_seq: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._callbacks: dict[str, Message] = {}
        self._upload_urls: dict[str, str] = {}  # upload id → type
        self._fresh_tokens: defaultdict[str, int] = defaultdict(int)
        self._faults: list[list[Any]] = []  # [path, status, code, message, times, matching]
        self._garbled: list[list[Any]] = []  # [path, the 200 answer's body, times]
        self._recent: deque[float] = deque()
        self._recent_by_chat: defaultdict[tuple[str, str, int], deque[float]] = defaultdict(deque)
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None

    # ----------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self._http = ClientSession(timeout=ClientTimeout(total=5))
        self.url = f"http://{host}:{runner.addresses[0][1]}"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            self._changed.set()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.stop()

    # ----------------------------------------------------------------- test controls

    def set_limits(self, per_chat: float | None = 2.0, global_rps: float | None = 30.0) -> None:
        """Answer 429 above `per_chat` messages/s into one chat or `global_rps` requests/s."""
        self.per_chat_rate, self.global_rate = per_chat, global_rps

    def fail_next(
        self, status: int, code: str = "internal.error", message: str = "fault injected",
        *, path: str = "/messages", times: int = 1, matching: str | None = None,
    ) -> None:  # fmt: skip
        """The next `times` requests to `path` (any method) fail with this error; with
        `matching`, only those whose JSON body's text holds it (one message among many)."""
        self._faults.append([path, status, code, message, times, matching])

    def garble_next(self, body: Any, *, path: str = "/updates", times: int = 1) -> None:
        """The next `times` requests to `path` get 200 with `body` (a marker that is no
        number, updates that are no list): what a broken proxy or a changed API could send."""
        self._garbled.append([path, body, times])

    def add_group(
        self, chat_id: int, title: str = "Родители 1А", owner: MaxUser | None = None
    ) -> FakeChat:
        chat = FakeChat(chat_id, "chat", title, owner_id=owner.user_id if owner else None)
        self.chats[chat_id] = chat
        return chat

    def dialog(self, user: MaxUser) -> FakeChat:
        """The bot's dialog with `user` (created on first use; its id is a large negative)."""
        chat_id = dialog_chat_id(user.user_id)
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = FakeChat(chat_id, "dialog", None, dialog_with=user)
        return chat

    def block(self, user_or_chat: MaxUser | int) -> None:
        """The user stopped the dialog (or the group closed): sends get 403 chat.denied."""
        self._chat_of(user_or_chat).status = "closed"

    def unblock(self, user_or_chat: MaxUser | int) -> None:
        self._chat_of(user_or_chat).status = "active"

    def sent_to(self, user_or_chat: MaxUser | int) -> list[Message]:
        chat_id = self._chat_of(user_or_chat).chat_id
        return [m for m in self.sent if m.chat_id == chat_id and not m.deleted]

    def calls_to(self, method: str, path: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and c.path == path]

    async def wait_sent(
        self, user_or_chat: MaxUser | int, count: int = 1, within: float = 10.0
    ) -> list[Message]:
        """Wait until `count` messages reached the chat; fail loudly after `within` seconds."""
        deadline = time.monotonic() + within
        while len(found := self.sent_to(user_or_chat)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} messages after {within}s: {found}")
            await self._wait_change(deadline)
        return found

    # ----------------------------------------------------------------- the users' side

    def bot_started(self, user: MaxUser, payload: str | None = None) -> JsonDict:
        chat = self.dialog(user)
        chat.status = "active"
        return self._push("bot_started", chat_id=chat.chat_id, user=user.json(),
                          payload=payload, user_locale="ru")  # fmt: skip

    def bot_stopped(self, user: MaxUser) -> JsonDict:
        """The user stopped the bot in their dialog: sends get 403 chat.denied from now on,
        and the bot is told with a `bot_stopped` update."""
        chat = self.dialog(user)
        chat.status = "closed"
        return self._push("bot_stopped", chat_id=chat.chat_id, user=user.json(),
                          user_locale="ru")  # fmt: skip

    def user_writes(
        self, user: MaxUser, text: str, chat_id: int | None = None,
        attachments: list[JsonDict] | None = None, markup: list[JsonDict] | None = None,
    ) -> Message:  # fmt: skip
        """`markup`: the formatting MAX's app sends apart from the text (bold, a link…)."""
        chat = self.chats[chat_id] if chat_id is not None else self.dialog(user)
        message = self._message(chat, user, text, None, attachments or [])
        message.markup = markup
        self._push("message_created", message=message.json(), user_locale="ru")
        return message

    def user_forwards(self, user: MaxUser, original: Message, comment: str = "") -> Message:
        """`user` forwards `original` into their dialog with the bot: MAX puts the forwarded
        text in `link.message`, the body holds only the forwarder's own words (often none)."""
        chat = self.dialog(user)
        message = self._message(chat, user, comment, None, [])
        message.link = {
            "type": "forward", "sender": original.sender.json(), "chat_id": original.chat_id,
            "message": {"mid": original.mid, "seq": original.seq, "text": original.text,
                        "attachments": original.attachments, "markup": None},
        }  # fmt: skip
        self._push("message_created", message=message.json(), user_locale="ru")
        return message

    def user_replies(
        self, user: MaxUser, original: Message, text: str,
        attachments: list[JsonDict] | None = None,
    ) -> Message:  # fmt: skip
        """`user` answers `original` with MAX's «Ответить»: the body holds their words, the
        quoted message comes in `link` of type reply with its sender."""
        chat = self.dialog(user)
        message = self._message(chat, user, text, None, attachments or [])
        message.link = {
            "type": "reply", "sender": original.sender.json(), "chat_id": original.chat_id,
            "message": {"mid": original.mid, "seq": original.seq, "text": original.text,
                        "attachments": original.attachments, "markup": None},
        }  # fmt: skip
        self._push("message_created", message=message.json(), user_locale="ru")
        return message

    def user_shares_contact(self, user: MaxUser, phone: str) -> Message:
        vcf = (
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"TEL;TYPE=cell:{phone}\r\nFN:{user.first_name}\r\nEND:VCARD"
        )
        contact = {"type": "contact", "payload": {"vcf_info": vcf, "max_info": user.json()}}
        return self.user_writes(user, "", attachments=[contact])

    def press(self, user: MaxUser, message: Message, text: str) -> str:
        """Press the callback button labelled `text`; returns the callback_id to answer."""
        button = message.button(text)
        if button["type"] != "callback":
            raise ValueError(f"{text!r} is a {button['type']} button, not a callback one")
        return self.press_payload(user, message, button["payload"])

    def press_payload(self, user: MaxUser, message: Message, payload: str) -> str:
        """A press whose payload the client made up (a forged or stale button)."""
        callback_id = f"cb.{secrets.token_hex(8)}"
        self._callbacks[callback_id] = message
        callback = {"timestamp": now_ms(), "callback_id": callback_id,
                    "payload": payload, "user": user.json()}  # fmt: skip
        self._push("message_callback", callback=callback, message=message.json(),
                   user_locale="ru")  # fmt: skip
        return callback_id

    def push_update(self, update_type: str, **fields: Any) -> JsonDict:
        """An update exactly as given (fields missing, of the wrong type): what a client
        that trusts MAX's schema too much would trip over."""
        return self._push(update_type, **fields)

    def bot_added(self, chat_id: int, by: MaxUser, title: str = "Родители 1А") -> FakeChat:
        chat = self.chats.get(chat_id) or self.add_group(chat_id, title, owner=by)
        chat.status = "active"
        self._push("bot_added", chat_id=chat_id, user=by.json(), is_channel=False)
        return chat

    def bot_removed(self, chat_id: int, by: MaxUser) -> None:
        self.chats[chat_id].status = "removed"
        self._push("bot_removed", chat_id=chat_id, user=by.json(), is_channel=False)

    def bot_rights_changed(
        self, chat_id: int, by: MaxUser, *, is_admin: bool, permissions: list[str] | None = None,
    ) -> JsonDict:  # fmt: skip
        """`bot_admin_permissions_changed` (maxapi's BotAdminPermissionsChanged): the bot's
        admin rights in a group or channel given, changed or taken away. MAX sends it to a
        webhook only: the update, for the test to hand to the webhook's dispatcher."""
        chat = self.chats[chat_id]
        return self._push("bot_admin_permissions_changed", chat_id=chat_id, user_id=by.user_id,
                   bot_id=self.bot.user_id, is_channel=chat.type == "channel",
                   is_admin=is_admin, permissions=permissions)  # fmt: skip

    def user_mentions_bot(self, user: MaxUser, chat_id: int, before: str, after: str) -> Message:
        """`user` picks the bot from MAX's mention list: the text shows its name, the
        markup's `user_mention` carries its `@username` (`user_link`)."""
        name = self.bot.first_name
        message = self._message(self.chats[chat_id], user, before + name + after, None, [])
        message.markup = [{"type": "user_mention", "from": len(before), "length": len(name),
                           "user_link": f"@{self.bot.username}"}]  # fmt: skip
        self._push("message_created", message=message.json(), user_locale="ru")
        return message

    def chat_title_changed(self, chat_id: int, by: MaxUser, title: str) -> None:
        self.chats[chat_id].title = title
        self._push("chat_title_changed", chat_id=chat_id, user=by.json(), title=title)

    def user_added(self, chat_id: int, user: MaxUser, inviter: MaxUser | None = None) -> None:
        inviter_id = inviter.user_id if inviter else None
        self._push("user_added", chat_id=chat_id, user=user.json(), inviter_id=inviter_id,
                   is_channel=False)  # fmt: skip

    def user_removed(self, chat_id: int, user: MaxUser, admin: MaxUser | None = None) -> None:
        admin_id = admin.user_id if admin else None
        self._push("user_removed", chat_id=chat_id, user=user.json(), admin_id=admin_id,
                   is_channel=False)  # fmt: skip

    # ----------------------------------------------------------------- internals: state

    def _chat_of(self, user_or_chat: MaxUser | int) -> FakeChat:
        if isinstance(user_or_chat, MaxUser):
            return self.dialog(user_or_chat)
        return self.chats[user_or_chat]

    def _message(
        self, chat: FakeChat, sender: MaxUser, text: str, fmt: str | None,
        attachments: list[JsonDict],
    ) -> Message:  # fmt: skip
        message = Message(f"mid.{secrets.token_hex(16)}", next(self._msg_seq[chat.chat_id]),
                          chat, sender, text, fmt, attachments)  # fmt: skip
        if chat.type == "dialog" and chat.dialog_with is not None:
            other = chat.dialog_with if sender is self.bot else self.bot
            message.to_user = other.user_id
        self.messages[message.mid] = message
        return message

    def _push(self, update_type: str, **fields: Any) -> JsonDict:
        update = {"update_type": update_type, "timestamp": now_ms(), **fields}
        if self.subscriptions:
            for sub in self.subscriptions:
                types = sub.get("update_types")
                if not types or update_type in types:
                    self._spawn(self._deliver(sub, update))
        else:
            self._updates.append((next(self._seq), update))
        self._changed.set()
        return update

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, sub: JsonDict, update: JsonDict) -> None:
        assert self._http is not None
        headers = {"X-Max-Bot-Api-Secret": sub["secret"]} if sub.get("secret") else {}
        for pause in [*self.webhook_retries, None]:
            status = 0
            try:
                async with self._http.post(sub["url"], json=update, headers=headers) as resp:
                    status = resp.status
            except (OSError, TimeoutError):
                pass
            self.webhook_deliveries.append((sub["url"], status))
            self._changed.set()
            if status == 200 or pause is None:
                return
            await asyncio.sleep(pause)

    async def _wait_change(self, deadline: float) -> None:
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))

    # ----------------------------------------------------------------- internals: HTTP

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path, method = "/" + request.match_info["tail"], request.method
        if path.startswith("/files/"):  # a person's attachment, by its payload url (no token)
            found = self.uploads.get(path.removeprefix("/files/"))
            if found is None:
                return web.json_response({"code": "not.found", "message": path}, status=404)
            return web.Response(body=found[1], content_type="application/octet-stream")
        body: Any = None
        if request.content_type == "application/json" and request.can_read_body:
            try:
                body = await request.json()
            except json.JSONDecodeError:
                body = ValueError("invalid JSON")
        query = dict(request.query)
        try:
            result = await self._route(request, method, path, query, body)
            status, payload = 200, result
            if self.send_latency is not None and (method, path) == ("POST", "/messages"):
                self._changed.set()  # delivered: waiters may count it before the answer
                await asyncio.sleep(random.uniform(*self.send_latency))
        except ApiError as exc:
            status, payload = exc.status, {"code": exc.code, "message": exc.message}
        self.calls.append(ApiCall(method, path, query, body, status))
        self._changed.set()
        return web.json_response(payload, status=status)

    async def _route(
        self, request: web.Request, method: str, path: str, query: dict[str, str], body: Any
    ) -> JsonDict:
        if path.startswith("/upload/"):  # the upload host takes no bot token
            return await self._upload(request, path.removeprefix("/upload/"))
        if request.headers.get("Authorization") != self.token:
            raise ApiError(401, "verify.token", "Invalid access_token")
        self._check_rate(path, method, query)
        self._check_faults(path, body)
        for garbled in self._garbled:
            if garbled[0] == path and garbled[2] > 0:
                garbled[2] -= 1
                return dict(garbled[1])
        if isinstance(body, ValueError):
            raise ApiError(400, "proto.payload", "Could not parse JSON body")
        return await route(self, method, path, query, body or {})

    def _check_rate(self, path: str, method: str, query: dict[str, str]) -> None:
        now = time.monotonic()
        if self.global_rate is not None and _too_many(self._recent, now, self.global_rate):
            raise ApiError(429, "too.many.requests", "Too many requests")
        if self.per_chat_rate is None:
            return
        # each its own count per chat: sends (POST /messages), edits and deletions (PUT and
        # DELETE /messages), press answers (POST /answers: «не более двух … в секунду»)
        chat_id: int | None = None
        if (method, path) == ("POST", "/messages"):
            chat_id = _send_target(query)
        elif path == "/messages" and method in ("PUT", "DELETE"):
            edited = self.messages.get(query.get("message_id", ""))
            chat_id = edited.chat_id if edited is not None else None
        elif (method, path) == ("POST", "/answers"):
            pressed = self._callbacks.get(query.get("callback_id", ""))
            chat_id = pressed.chat_id if pressed is not None else None
        if chat_id is not None and _too_many(
            self._recent_by_chat[(method, path, chat_id)], now, self.per_chat_rate
        ):
            raise ApiError(429, "too.many.requests", f"Too many requests to chat {chat_id}")

    def _check_faults(self, path: str, body: Any) -> None:
        text = str(body.get("text") or "") if isinstance(body, dict) else ""
        for fault in self._faults:
            if fault[0] == path and fault[4] > 0 and (fault[5] is None or fault[5] in text):
                fault[4] -= 1
                raise ApiError(fault[1], fault[2], fault[3])

    async def _upload(self, request: web.Request, upload_id: str) -> JsonDict:
        kind = self._upload_urls.pop(upload_id, None)
        if kind is None:
            raise ApiError(404, "not.found", "Upload URL is unknown or used")
        reader = await request.multipart()
        part = await reader.next()
        if part is None or getattr(part, "name", None) != "data":
            raise ApiError(400, "proto.payload", "multipart field 'data' is required")
        filename = _sent_filename(part.headers.get(hdrs.CONTENT_DISPOSITION, "")) or "file"
        data = await part.read()  # type: ignore[union-attr]
        token = upload_id if kind in ("video", "audio") else f"tok.{secrets.token_hex(12)}"
        self.uploads[token] = (filename, bytes(data))
        self._fresh_tokens[token] = self.not_ready_sends
        if kind == "image":
            return {"photos": {"1": {"token": token}}}
        if kind == "file":
            return {"token": token}
        return {"retval": 1}


def _sent_filename(disposition: str) -> str | None:
    """The part's `filename="…"` as a server reads it: the header's bytes as UTF-8, quotes and
    backslashes unescaped, nothing more. Not aiohttp's `part.filename`, which prefers a
    `filename*` and decodes it for us: a client sending «%D0%9F….pdf» is seen doing so."""
    _kind, params = parse_content_disposition(disposition)
    return params.get("filename")


def _too_many(window: deque[float], now: float, rate: float) -> bool:
    """A one-second sliding window: more than `rate` events in it is a flood."""
    while window and now - window[0] >= 1.0:
        window.popleft()
    if len(window) >= max(1, int(rate)):
        return True
    window.append(now)
    return False


def _send_target(query: dict[str, str]) -> int | None:
    if "chat_id" in query and query["chat_id"].lstrip("-").isdigit():
        return int(query["chat_id"])
    if "user_id" in query and query["user_id"].isdigit():
        return dialog_chat_id(int(query["user_id"]))
    return None
