"""A fake Telegram Bot API server speaking real HTTP on 127.0.0.1.

Why a server and not a mocked session: the bugs that reach production live in the wire format
and in Telegram's refusals — multipart uploads with JSON-encoded keyboards, HTML that Telegram
cannot parse, the 4096-character limit, 403 from users who blocked the bot, 429 floods, groups
migrated to supergroups, long-polling offsets. A real ``aiogram.Bot`` and a real ``Dispatcher``
talk to this server unchanged, so e2e tests and broadcast benchmarks run the production code
paths while nothing leaves the machine. (``python -m bot chat`` has a small in-process session
of its own in the product, bot/app/console_session.py, and does not use this server.)

The pieces: records and wire shapes in telegram_model, Telegram's HTML and parameter parsing in
telegram_html, the update queue and planned refusals in telegram_limits, the Bot API methods in
telegram_routes; this module is the server, its state and the test-facing driving API.

Point aiogram at it with ``AiohttpSession(api=TelegramAPIServer.from_base(server.url))``.
Everything runs on the caller's event loop; the driving methods (``user_sends``, ``press``…) are
plain functions, the observing ones (``next_message``, ``wait_for``, ``idle``) are awaitable.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web
from aiohttp.web_request import FileField

from tests.fakes.telegram_html import (
    HtmlParseError,
    decode_params,
    parse_html,
    render_markup,
)
from tests.fakes.telegram_limits import (
    Fault,
    FaultPlan,
    RateLimits,
    UpdateQueue,
    is_send,
)
from tests.fakes.telegram_model import (
    CAPTIONED_MEDIA,
    DEFAULT_GROUP_IDS,
    MAX_CAPTION,
    MAX_TEXT,
    MAX_UPLOAD,
    MEDIA_KEYS,
    MEDIA_KINDS,
    NOT_MODIFIED,
    SAMPLE_MEDIA,
    ApiCall,
    ApiError,
    Button,
    FakeFile,
    FakeUser,
    Files,
    JsonDict,
    SentMessage,
    bad_request,
    chat_full_info,
    key_text,
    media_payload,
    member_payload,
    private_chat,
    unix_now,
    utf16_len,
    walk_media,
)
from tests.fakes.telegram_routes import (
    BotApiMethods,
    check_inline_keyboard,
    commands_key,
)

__all__ = [
    "MEDIA_KINDS",
    "SAMPLE_MEDIA",
    "ApiCall",
    "Button",
    "FakeFile",
    "FakeTelegramServer",
    "FakeUser",
    "HtmlParseError",
    "JsonDict",
    "SentMessage",
    "chat_full_info",
    "media_payload",
    "member_payload",
    "parse_html",
    "render_markup",
]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")


# --------------------------------------------------------------------------- the server


class FakeTelegramServer(BotApiMethods):
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
        self._queue = UpdateQueue()
        self._faults = FaultPlan()
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
            "date": unix_now(),
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

    def user_edits(self, sent: JsonDict, text: str) -> JsonDict:
        """The user edits a message they sent (`sent`: the update `user_sends` returned):
        Telegram sends the whole message again as `edited_message`, with `edit_date`."""
        message = copy.deepcopy(sent["message"])
        message.pop("entities", None)
        message.update(text=text, edit_date=unix_now())
        return self.push_update({"edited_message": message})

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
            "chat": self.chats.get(user.id) or private_chat(user),
            "from": user.as_dict(),
            "date": unix_now(),
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
            chat = private_chat(user, chat_id)
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
        return [[key_text(key) for key in row] for row in rows]

    def commands_for(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        return self.commands.get(commands_key(scope, language_code), [])

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
                found = self.commands.get(commands_key(scope, language))
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
        matching: str | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` (to ``chat_id`` if given; with ``matching``,
        only those whose text or caption holds it) fail this way."""
        if status == 429 and description == "Internal Server Error":
            description = f"Too Many Requests: retry after {retry_after or 1}"
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(status, description, parameters)
        self._faults.injected.append(Fault(method.lower(), error, count, chat_id, matching))

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
            RateLimits(*limits, retry_after, private_burst, global_burst)
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
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        self.stats[method] += 1
        params: JsonDict = {}
        try:
            params, files = await self._read_params(request, method)
            result = await self._call(method, params, files)
        except ApiError as error:
            return self._refuse(method, params, error)
        except web.HTTPException:
            raise  # e.g. 413 for an upload over MAX_UPLOAD
        except Exception as exc:  # a bug in the fake must fail the test loudly, not hang it
            _log.exception("fake Telegram server failed on %s", method)
            return self._refuse(method, params, ApiError(500, f"Internal Server Error: {exc!r}"))
        if method != "getupdates":
            self._record(method, params, result=result)
        return web.json_response({"ok": True, "result": result})

    def _refuse(self, method: str, params: JsonDict, error: ApiError) -> web.Response:
        self.stats[str(error.status)] += 1
        self._record(method, params, error=error)
        return web.json_response(error.payload(), status=error.status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        found = next((f for f in self.files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
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
            raise bad_request(f"can't parse request: {error}") from None
        return decode_params(method, raw), files

    async def _call(self, method: str, params: JsonDict, files: Files) -> Any:
        handler = self._handlers.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if is_send(method):
            await self._delay()
        chat_id = self._param_chat_id(params)
        text = str(params.get("text") or params.get("caption") or "")
        media = params.get("media") if method == "sendmediagroup" else None
        count = len(media) if isinstance(media, list) and media else 1
        self._faults.check(method, chat_id, self._chat_type(chat_id), text, count)
        result = handler(params, files)
        return await result if isinstance(result, Awaitable) else result

    async def _delay(self) -> None:
        latency = self.latency
        seconds = random.uniform(*latency) if isinstance(latency, tuple) else latency
        if seconds > 0:
            await asyncio.sleep(seconds)

    def _record(
        self, method: str, params: JsonDict, *, result: Any = None, error: ApiError | None = None
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
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat_id > 0:
            chat = private_chat(self._user_for_chat(chat_id), chat_id)
        else:
            chat = {"id": chat_id, "type": self._chat_type(chat_id), "title": f"Chat {chat_id}"}
        self.chats[chat_id] = chat
        return chat

    def _target_chat(self, params: JsonDict) -> int:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        chat_id = self._param_chat_id(params)
        if chat_id is None:
            raise bad_request("chat not found")
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
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
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
            for item in walk_media(message.get(key)):
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
        document = next((self.files.get(i.get("file_id", "")) for i in walk_media(content)), None)
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
            date=unix_now(),
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
        raise bad_request("message to be replied not found")

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
            raise bad_request("message text is empty")
        plain, entities = render_markup(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT:
            raise bad_request(too_long)
        return plain, entities

    def _render_caption(self, params: JsonDict) -> tuple[str | None, list[JsonDict]]:
        caption = params.get("caption")
        if not caption:
            return None, []
        entities = params.get("caption_entities")
        plain, parsed = render_markup(str(caption), params.get("parse_mode"), entities)
        if len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return plain, parsed

    def _markup(self, params: JsonDict) -> JsonDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            check_inline_keyboard(markup["inline_keyboard"])
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
            raise bad_request("REPLY_MARKUP_INVALID")
        check_inline_keyboard(markup["inline_keyboard"])
        return markup if markup["inline_keyboard"] else None

    def _input_file(self, value: Any, files: Files, kind: str) -> FakeFile:
        if value is None and kind in files:
            return files[kind]  # uploaded directly under the parameter's own name
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            uploaded = files.get(value.removeprefix("attach://"))
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            uploaded = self._new_file(value.rsplit("/", 1)[-1] or kind, b"", None)
        else:
            uploaded = self.files.get(str(value))
        if uploaded is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return uploaded

    def _editable(self, params: JsonDict) -> SentMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat_id = self._target_chat(params)
        message_id = params.get("message_id")
        if (chat_id, message_id) in self.user_messages:
            raise bad_request("message can't be edited")
        message = self.messages.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
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
            raise bad_request(NOT_MODIFIED)
        if text != sm.text:
            sm.history.append(sm.text or "")
        sm.text, sm.entities, sm.reply_markup, sm.raw_text = text, entities, markup, raw
        sm.edit_date = unix_now()
        return self._message_dict(sm)
