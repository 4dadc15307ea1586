"""The MAX channel: Content → MAX Bot API calls, and MAX's errors → a SendOutcome.

Mirrors `handlers.tg.broadcast_channel` over `handlers.max.client` (no aiogram here). MAX differs
where it
matters to the ledger:
* a 429 carries no retry hint, so the pause grows per chat: 1 s, 2 s, 4 s … up to a minute,
  back to 1 s after a delivery there;
* 403 (`chat.denied`: the user stopped the dialog, or the bot lost the group) and 404 (no such
  chat) mean the chat is gone; there are no migrations;
* a text over 4000 characters goes out in parts, the buttons under the last one;
* an album is one message: every file an attachment of it, the buttons under them;
* a notice to a person (a MAX author's progress and report, a held broadcast's question)
  waits out 429s and MAX's 5xx with the same growing pause, bounded (`NOTICE_ATTEMPTS`),
  instead of being lost to one;
* message ids are strings (`mid.…`) while the ledger keeps an int: `Sent` carries the message's
  `seq` (int64, unique in its chat). A progress message is edited by the `mid` its broadcast
  keeps (`broadcasts.progress_mid`), so from any process; a row without one (older than that
  column) is looked up among the messages this process sent, else sent anew once and kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Final, TypeVar

from bot.core.messages import Button, Keyboard
from broadcasts.channel import Blocked, Failed, ProgressMessage, RetryAfter, SendOutcome, Sent
from broadcasts.content import Content
from handlers.max.client import (
    MaxAttachmentNotReady,
    MaxBadRequest,
    MaxBlocked,
    MaxClient,
    MaxError,
    MaxNetworkError,
    MaxNotFound,
    MaxRetryAfter,
    MaxServerError,
    SentMessage,
)
from handlers.max.render import inline_keyboard, render_text
from handlers.max.signup_link import for_max, has_signup

log = logging.getLogger(__name__)
T = TypeVar("T")

ACK_LABEL: Final = "✅ Ознакомлен"
UNSUB_LABEL: Final = "Отписаться"
PART_ATTEMPTS: Final = 3  # tries for the second and later parts of a long text
NOTICE_ATTEMPTS: Final = 6  # a notice or progress edit: pauses of 1+2+4+8+16 s at most
BLOCKED: Final = "chat.denied"  # a 403 of a user who stopped the dialog (not a refused edit)
REMEMBERED: Final = 1000  # seq → mid of the channel's own recent messages
# Uploads a broadcast's photo or document to MAX: the attachment for it, or None if unavailable.
MediaResolver = Callable[[Content], Awaitable[dict[str, Any] | None]]
# The MAX id (user id or chat_id) behind an internal id (`bot.core.ids`); None if unknown.
IdResolver = Callable[[int], Awaitable[int | None]]
# The `mid` of a message the MAX messenger of this process sent (internal chat id, seq).
MidLookup = Callable[[int, int], str | None]
# Waits for MAX's own pace (MAX_RATE, shared with the bot's other MAX calls) before a send.
Pace = Callable[[int], Awaitable[None]]


def ack_payload(broadcast_id: int) -> str:
    """The same string as `handlers.tg.callbacks.AckCb(b=…).pack()`, so one parser serves both."""
    return f"ack:{broadcast_id}"


def unsub_payload(audience: str) -> str:
    """The same string as `handlers.tg.callbacks.UnsubCb(a=…).pack()`."""
    return f"unsub:{audience}"


def buttons(content: Content, broadcast_id: int, audience: str | None) -> list[list[Button]]:
    """Link button, «Ознакомлен» when asked for, «Отписаться» for a private subscriber."""
    rows: list[list[Button]] = []
    if content.button is not None:
        rows.append([Button(content.button.label, url=content.button.url)])
    if content.ack:
        rows.append([Button(ACK_LABEL, action=ack_payload(broadcast_id))])
    if audience:
        rows.append([Button(UNSUB_LABEL, action=unsub_payload(audience))])
    return rows


class MaxBackoff:
    """Seconds to pause after a 429 in a chat: doubling from `base` up to `cap`."""

    def __init__(self, base: float = 1.0, cap: float = 60.0) -> None:
        self._base, self._cap = base, cap
        self._strikes: dict[int, int] = {}

    def hit(self, chat_id: int) -> float:
        strikes = self._strikes[chat_id] = self._strikes.get(chat_id, 0) + 1
        return float(min(self._cap, self._base * 2.0 ** (strikes - 1)))

    def clear(self, chat_id: int) -> None:
        self._strikes.pop(chat_id, None)


def classify(exc: MaxError, chat_id: int, backoff: MaxBackoff) -> SendOutcome:
    """What an error raised by a send means for the ledger."""
    if isinstance(exc, MaxRetryAfter):
        return RetryAfter(backoff.hit(chat_id), per_chat=True)
    if isinstance(exc, MaxBlocked | MaxNotFound):
        return Blocked(f"{exc.code}: {exc.message}")
    if isinstance(exc, MaxAttachmentNotReady | MaxServerError | MaxNetworkError):
        return Failed(str(exc), permanent=False)
    return Failed(str(exc), permanent=True)  # 400, 401: the same request fails again


class MaxChannel:
    """Sends through a MaxClient; texts are rendered from the bot's Telegram HTML.

    With `ids` the channel speaks the ledger's internal ids (`bot.core.ids`) and translates
    each to MAX's own; without it every id is MAX's own (tests of the transport)."""

    def __init__(
        self,
        client: MaxClient,
        *,
        media: MediaResolver | None = None,
        backoff: MaxBackoff | None = None,
        ids: IdResolver | None = None,
        pace: Pace | None = None,
        known: MidLookup | None = None,
        on_flood: Callable[[], object] | None = None,
    ) -> None:
        self._client = client
        self._on_flood = on_flood  # a 429 slows the bot's whole MAX pace (MaxPacer.slow_down)
        self._known = known
        self._media = media
        self._backoff = backoff or MaxBackoff()
        self._ids = ids
        self._pace = pace
        self._mids: OrderedDict[tuple[int, int], str] = OrderedDict()
        self._bot_link: str | None = None  # https://max.ru/<bot>, from GET /me once
        self._silent: set[tuple[int, int]] = set()  # progress messages of who blocked the bot

    async def _max_id(self, chat_id: int) -> int | None:
        return chat_id if self._ids is None else await self._ids(chat_id)

    async def send(
        self,
        chat_id: int,
        content: Content,
        *,
        broadcast_id: int,
        is_private: bool,
        audience: str | None = None,
    ) -> SendOutcome:
        target = await self._max_id(chat_id)
        if target is None:
            return Failed(f"неизвестный id MAX {chat_id}", permanent=True)
        if has_signup(content):  # «Записаться» opens the card in the MAX bot, not Telegram
            content = for_max(content, await self._own_link())
        return await self._send(target, content, broadcast_id, is_private, audience)

    async def _own_link(self) -> str | None:
        """This bot's start link in MAX (asked once); None while MAX does not say it."""
        if self._bot_link is None:
            try:
                name = str((await self._client.get_me()).get("username") or "")
            except MaxError as exc:
                log.info("MAX bot's own link unknown: %s", exc)
                return None
            self._bot_link = f"https://max.ru/{name}" if name else ""
        return self._bot_link or None

    async def _send(
        self, chat_id: int, content: Content, broadcast_id: int, is_private: bool,
        audience: str | None,
    ) -> SendOutcome:  # fmt: skip
        rows = buttons(content, broadcast_id, audience if is_private else None)
        try:
            attachments = await self._attachments(content, rows)
            parts = render_text(content.text) or ([""] if attachments else [])
            if not parts:
                return Failed("nothing to send", permanent=True)
            first = attachments if len(parts) == 1 else []
            sent = await self._post(chat_id, is_private, parts[0], first)
        except MaxError as exc:
            return classify(exc, chat_id, self._backoff)
        except ValueError as exc:  # a keyboard MAX cannot show
            return Failed(str(exc), permanent=True)
        self._backoff.clear(chat_id)
        for n, part in enumerate(parts[1:], start=2):
            last = attachments if n == len(parts) else []
            try:  # the first part arrived: the rest are never a failure that repeats it
                sent = await self._post_again(chat_id, is_private, part, last)
            except MaxError as exc:
                log.warning("part %s/%s to %s not delivered: %s", n, len(parts), chat_id, exc)
                break
        return Sent(sent.seq)

    async def _post_again(
        self, chat_id: int, is_private: bool, text: str, attachments: list[dict[str, Any]]
    ) -> SentMessage:
        """A later part: parts in a row meet MAX's ~2 messages/s per chat, so wait and retry."""
        return await self._patiently(
            chat_id, lambda: self._post(chat_id, is_private, text, attachments), PART_ATTEMPTS
        )

    async def _patiently(
        self, chat_id: int, call: Callable[[], Awaitable[T]], attempts: int = NOTICE_ATTEMPTS
    ) -> T:
        """`call` again after a 429 (no hint: the chat's pause grows) or a 5xx / no answer;
        the last failure is raised."""
        for attempt in range(1, attempts + 1):
            try:
                result = await call()
            except (MaxRetryAfter, MaxServerError, MaxNetworkError) as exc:
                if attempt == attempts:
                    raise
                pause = self._backoff.hit(chat_id)
                log.info("MAX %s for %s: again in %.0f s", exc.status or exc.code, chat_id, pause)
                await asyncio.sleep(pause)
            else:
                self._backoff.clear(chat_id)
                return result
        raise AssertionError("unreachable")

    async def post(self, user_id: int, text: str) -> int:
        """A message to a person the channel may edit later (the progress message): its seq."""
        parts, target = render_text(text), await self._max_id(user_id)
        if not parts or target is None:
            raise ValueError("an empty progress message or an unknown MAX id")
        return (await self._post(target, True, parts[0], [])).seq

    async def edit_progress(self, message: ProgressMessage, text: str) -> ProgressMessage | None:
        """`message.chat_id` is the author's user id; edited by its `mid` (`message.ref`, kept
        by the broadcast), or one this process sent (`post`, or a dialog through its MAX
        messenger: `known`). One MAX would not edit (deleted, older than MAX edits, or its
        `mid` unknown) is sent anew, once: the new one is returned for the broadcast to keep,
        and an edit of it refused in turn is not sent anew again. An author who blocked the
        bot is not written to again for this message. A report over 4000 characters: the
        first part edited in, the rest after it as new messages."""
        where = f"{message.chat_id}/{message.message_id}"
        target = await self._max_id(message.chat_id)
        key = (target or 0, message.message_id)
        if target is None or key in self._silent:
            log.info("progress message %s not edited: unknown MAX id or blocked", where)
            return None
        mid = message.ref or self._mids.get(key)
        if mid is None and self._known is not None:
            mid = self._known(message.chat_id, message.message_id)
        first, *rest = render_text(text) or ["—"]
        try:
            if mid is not None and await self._edited(target, mid, first, again=message.anew):
                await self._tail(target, rest)
                return None
            sent = await self._patiently(target, partial(self._post, target, True, first, []))
        except MaxBlocked as exc:  # the author stopped the dialog: no more tries here
            if exc.code == BLOCKED:
                self._silent.add(key)
            log.info("progress message %s not edited: %s", where, exc)
            return None
        except MaxError as exc:
            log.info("progress message %s not edited: %s", where, exc)
            return None
        await self._tail(target, rest)
        return ProgressMessage(message.chat_id, sent.seq, sent.mid, anew=True)

    async def _edited(self, target: int, mid: str, text: str, *, again: bool) -> bool:
        """True when MAX took the edit; False when the message is to be sent anew (MAX has no
        such message, or refuses the edit: too old). A message already sent anew once raises."""
        try:
            await self._patiently(target, lambda: self._client.edit_message(mid, text=text))
        except (MaxNotFound, MaxBadRequest, MaxBlocked) as exc:
            if again or exc.code == BLOCKED:  # sent anew already, or the author blocked the bot
                raise
            log.info("progress message %s not edited (%s): sending it anew", mid, exc)
            return False
        return True

    async def _tail(self, target: int, parts: list[str]) -> None:
        """The parts of a long report after the first, as new messages."""
        try:
            for part in parts:
                await self._patiently(target, partial(self._post, target, True, part, []))
        except MaxError as exc:
            log.warning("the rest of a progress report to %s not delivered: %s", target, exc)

    async def notify(self, chat_id: int, text: str, buttons: Keyboard = ()) -> None:
        """`chat_id` is a user id here (a broadcast's author): their dialog gets it, with
        `buttons` under its last part."""
        target = await self._max_id(chat_id)
        if target is None:
            log.warning("notice to %s not delivered: unknown MAX id", chat_id)
            return
        parts, keyboard = render_text(text), inline_keyboard(buttons)
        try:
            for n, part in enumerate(parts, start=1):
                under = [keyboard] if keyboard is not None and n == len(parts) else []
                await self._patiently(target, partial(self._post, target, True, part, under))
        except MaxError as exc:
            log.warning("notice to %s not delivered: %s", chat_id, exc)

    async def _attachments(
        self, content: Content, rows: list[list[Button]]
    ) -> list[dict[str, Any]]:
        attachments: list[dict[str, Any]] = []
        for each in _one_by_one(content):
            media = await self._media(each) if self._media is not None else None
            if media is None:
                raise MaxBadRequest(0, "media.unavailable", f"no MAX file for a {each.kind}")
            attachments.append(media)
        keyboard = inline_keyboard(rows)
        if keyboard is not None:
            attachments.append(keyboard)
        return attachments

    async def _post(
        self, target: int, is_private: bool, text: str, attachments: list[dict[str, Any]]
    ) -> SentMessage:
        """A private subscriber is a MAX user id (their dialog's chat_id differs); a group is
        its chat_id."""
        user_id, chat_id = (target, None) if is_private else (None, target)
        if self._pace is not None:
            await self._pace(target)
        try:
            sent = await self._client.send_message(
                chat_id=chat_id, user_id=user_id, text=text or None, attachments=attachments
            )
        except MaxRetryAfter:
            if self._on_flood is not None:
                self._on_flood()
            raise
        self._mids[(target, sent.seq)] = sent.mid
        while len(self._mids) > REMEMBERED:
            self._mids.popitem(last=False)
        return sent


def _one_by_one(content: Content) -> list[Content]:
    """Each file the message carries, for `media`: an album's files all go in one MAX message
    (a message holds several attachments; MAX's documentation names no number, and an album
    is at most ALBUM_LIMIT files), with its buttons under them, unlike Telegram's."""
    if not content.more:
        return [content] if content.kind != "text" else []
    return [
        Content(f.kind, "", f.file_id, stored_file=f.stored_file, file_name=f.file_name)
        for f in content.files()
    ]
