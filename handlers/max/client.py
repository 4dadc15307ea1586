"""A thin client for the MAX Bot API over aiohttp: one method per call we use, typed errors.

Plain aiohttp rather than the `maxapi` package: we need a dozen calls, not a second
Dispatcher/FSM framework beside aiogram; maxapi retries 5xx by itself (1, 2, 4 s) inside a send,
which would hide failures from the broadcast ledger that owns retries; it adds backoff and
puremagic as dependencies. Our errors carry MAX's `{"code", "message"}` and the HTTP status,
classified once here (see `error_for`).

Facts used (dev.max.ru/docs-api and the OpenAPI schema, github max-messenger-bot/
max-bot-api-schemas): the token goes in the `Authorization` header as is; dates are in ms;
message ids are strings `mid.…`; a 429 carries no retry hint.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import ClientError, ClientSession, ClientTimeout, FormData

from bot.core import incoming

DEFAULT_API_URL: Final = "https://platform-api2.max.ru"
JsonDict = dict[str, Any]


class MaxError(Exception):
    """A refused or failed call; `code` is MAX's error key (e.g. `chat.denied`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class MaxUnauthorized(MaxError):
    """401 `verify.token`: the token is wrong or revoked; nothing will work until it is fixed."""


class MaxBlocked(MaxError):
    """403: the user stopped the dialog (`chat.denied`) or the bot lost the group."""


class MaxNotFound(MaxError):
    """404: no such chat, message or path."""


class MaxBadRequest(MaxError):
    """400 and other 4xx: the same request will fail the same way."""


class MaxAttachmentNotReady(MaxBadRequest):
    """400 `attachment.not.ready`: an uploaded file is still processed; try again shortly."""


class MaxRetryAfter(MaxError):
    """429: too many requests. MAX gives no hint how long to wait; the caller backs off."""


class MaxServerError(MaxError):
    """5xx: MAX's trouble; worth another try later."""


class MaxNetworkError(MaxError):
    """No answer: connection refused or reset, timeout, or a body that is not JSON."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "network", message)


def error_for(status: int, body: Any) -> MaxError:
    """The typed exception for a non-2xx answer."""
    code = str(body.get("code", "")) if isinstance(body, dict) else ""
    message = str(body.get("message", "")) if isinstance(body, dict) else str(body)[:200]
    if status == 401:
        return MaxUnauthorized(status, code, message)
    if status == 403:
        return MaxBlocked(status, code, message)
    if status == 404:
        return MaxNotFound(status, code, message)
    if status == 429:
        return MaxRetryAfter(status, code, message)
    if status >= 500:
        return MaxServerError(status, code, message)
    if code == "attachment.not.ready":
        return MaxAttachmentNotReady(status, code, message)
    return MaxBadRequest(status, code, message)


@dataclass(frozen=True)
class SentMessage:
    """What we keep of a message the bot sent: `mid` to edit or delete it, `seq` (int64)."""

    mid: str
    seq: int
    chat_id: int

    @classmethod
    def from_json(cls, message: JsonDict) -> SentMessage:
        body, recipient = message.get("body") or {}, message.get("recipient") or {}
        return cls(str(body.get("mid", "")), _int64(body.get("seq")),
                   _int64(recipient.get("chat_id")))  # fmt: skip


def _int64(value: Any) -> int:
    """A number MAX's answer should hold; 0 for anything else ("12a", a float, a list): the
    message was sent all the same, and its `mid` is what edits and deletes go by."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return 0


@dataclass(frozen=True)
class UpdateBatch:
    updates: list[JsonDict]
    marker: int | None


class MaxClient:
    """One bot's calls. Owns its aiohttp session unless one is passed in."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        timeout: float = 30.0,
        session: ClientSession | None = None,
    ) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._session = session
        self._own_session = session is None

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> MaxClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # ----------------------------------------------------------------- calls

    async def get_me(self) -> JsonDict:
        return await self._call("GET", "/me")

    async def set_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        """PATCH /me/commands: the «/» hints MAX shows in dialogs and groups (one list for
        everyone; an empty one removes them)."""
        listed = [{"name": name, "description": text} for name, text in commands]
        await self._call("PATCH", "/me/commands", json_body={"commands": listed})

    async def get_updates(
        self,
        marker: int | None = None,
        *,
        poll_seconds: int = 30,
        limit: int = 100,
        types: Sequence[str] = (),
    ) -> UpdateBatch:
        """Long polling; pass the returned marker next time to confirm what was received."""
        params: dict[str, str] = {"timeout": str(poll_seconds), "limit": str(limit)}
        if marker is not None:
            params["marker"] = str(marker)
        if types:
            params["types"] = ",".join(types)
        data = await self._call("GET", "/updates", params=params, wait=poll_seconds + 10)
        found, marker = data.get("updates") or [], data.get("marker")
        # a failed poll (waited out, tried again), not an exception that would end polling
        if not isinstance(found, list) or not (marker is None or _whole(marker)):
            raise MaxNetworkError(f"no update batch: {str(data)[:100]!r}")
        return UpdateBatch(found, int(marker) if marker else None)

    async def get_subscriptions(self) -> list[JsonDict]:
        data = await self._call("GET", "/subscriptions")
        return list(data.get("subscriptions") or [])

    async def subscribe(
        self, url: str, *, secret: str | None = None, update_types: Sequence[str] = ()
    ) -> None:
        body: JsonDict = {"url": url}
        if secret:
            body["secret"] = secret
        if update_types:
            body["update_types"] = list(update_types)
        await self._call("POST", "/subscriptions", json_body=body)

    async def unsubscribe(self, url: str) -> None:
        await self._call("DELETE", "/subscriptions", params={"url": url})

    async def send_message(
        self,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        text: str | None,
        format: str | None = "html",
        attachments: Sequence[JsonDict] = (),
        notify: bool = True,
        disable_link_preview: bool = False,
    ) -> SentMessage:
        """Into a chat (`chat_id`, also a dialog's id) or to a user's dialog (`user_id`)."""
        if (chat_id is None) == (user_id is None):
            raise ValueError("exactly one of chat_id and user_id")
        params = {"chat_id": str(chat_id)} if chat_id is not None else {"user_id": str(user_id)}
        if disable_link_preview:
            params["disable_link_preview"] = "true"
        body = _new_body(text, format, attachments) | {"notify": notify}
        data = await self._call("POST", "/messages", params=params, json_body=body)
        return SentMessage.from_json(data.get("message") or {})

    async def edit_message(
        self,
        mid: str,
        *,
        text: str | None,
        format: str | None = "html",
        attachments: Sequence[JsonDict] | None = None,
    ) -> None:
        """`attachments=None` keeps the buttons; `[]` removes them."""
        body = _new_body(text, format, attachments)
        await self._call("PUT", "/messages", params={"message_id": mid}, json_body=body)

    async def delete_message(self, mid: str) -> None:
        await self._call("DELETE", "/messages", params={"message_id": mid})

    async def answer_callback(
        self, callback_id: str, *, notification: str | None = None, message: JsonDict | None = None
    ) -> None:
        """A short notice to the presser and/or a new body for the message with the button."""
        body: JsonDict = {}
        if notification is not None:
            body["notification"] = notification
        if message is not None:
            body["message"] = message
        await self._call("POST", "/answers", params={"callback_id": callback_id}, json_body=body)

    async def get_chat(self, chat_id: int) -> JsonDict:
        return await self._call("GET", f"/chats/{chat_id}")

    async def upload(self, data: bytes, filename: str, kind: str = "file") -> str:
        """POST /uploads, then the file to the returned URL; the token for an attachment.

        The name goes as UTF-8 in `filename="…"`, as a browser or `curl -F` sends it (and
        aiogram: `FormData(quote_fields=False)`): aiohttp's default %-quotes it, and MAX shows
        that «%D0%9F%D0%BB….pdf» to people as the file's name."""
        endpoint = await self._call("POST", "/uploads", params={"type": kind})
        form = FormData(quote_fields=False)
        form.add_field("data", data, filename=header_safe(filename))
        answer = await self._request("POST", endpoint["url"], data=form, wait=120)
        token = endpoint.get("token") or answer.get("token")
        photos = answer.get("photos")
        if not token and isinstance(photos, dict) and photos:
            token = dict(next(iter(photos.values()))).get("token")
        if not token:
            raise MaxBadRequest(200, "upload.no.token", f"no token in {answer!r:.200}")
        return str(token)

    async def download(self, url: str, *, limit: int) -> bytes:
        """A file a person sent, by its attachment's `url`. No token goes with it: the URL
        itself grants access and may be on another host (MAX's file storage)."""
        session = self._ensure_session()
        data = bytearray()
        try:
            async with session.get(url, timeout=ClientTimeout(total=120)) as response:
                if response.status >= 400:
                    raise error_for(response.status, (await response.text())[:200])
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data.extend(chunk)
                    if len(data) > limit:
                        raise MaxBadRequest(413, "file.too.big", f"over {limit} bytes: {url}")
        except (ClientError, TimeoutError) as exc:
            raise MaxNetworkError(f"{type(exc).__name__}: {exc}") from exc
        return bytes(data)

    # ----------------------------------------------------------------- transport

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: JsonDict | None = None,
        wait: float | None = None,
    ) -> JsonDict:
        return await self._request(
            method, self._base + path, params=params, json_body=json_body, wait=wait
        )

    async def _request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json_body: JsonDict | None = None,
        data: FormData | None = None,
        wait: float | None = None,
    ) -> JsonDict:
        session = self._ensure_session()
        timeout = ClientTimeout(total=wait or self._timeout)
        headers = {"Authorization": self._token}
        try:
            async with session.request(
                method, url, params=params, json=json_body, data=data, headers=headers,
                timeout=timeout,
            ) as response:  # fmt: skip
                raw = await response.text()
                status = response.status
        except (ClientError, TimeoutError) as exc:
            raise MaxNetworkError(f"{type(exc).__name__}: {exc}") from exc
        try:
            body = incoming.loads(raw) if raw else {}
        except json.JSONDecodeError:
            if status >= 400:
                raise error_for(status, raw) from None
            raise MaxNetworkError(f"not JSON from {method} {url}: {raw[:100]!r}") from None
        if status >= 400:
            raise error_for(status, body)
        return body if isinstance(body, dict) else {"result": body}

    def _ensure_session(self) -> ClientSession:
        if self._session is None:
            self._session = ClientSession()
        return self._session


def header_safe(filename: str) -> str:
    """The name as it can stand in a multipart header: a line break or another control
    character (a name a person typed) would end the header, so each becomes a space."""
    return "".join(" " if ord(c) < 0x20 or ord(c) == 0x7F else c for c in filename) or "file"


def _whole(value: Any) -> bool:
    """A marker as MAX gives it: a whole number (a digit string is taken too)."""
    if isinstance(value, str):
        return value.isascii() and value.isdigit()
    return isinstance(value, int) and not isinstance(value, bool)


def _new_body(
    text: str | None, format: str | None, attachments: Sequence[JsonDict] | None
) -> JsonDict:
    body: JsonDict = {"text": text}
    if format is not None:
        body["format"] = format
    if attachments is not None:
        body["attachments"] = list(attachments)
    return body
