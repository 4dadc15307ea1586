"""The Messenger port (`bot.core.messages`) over the MAX Bot API.

Services speak in internal ids; here they become MAX's own (`channel_ids`): a person is sent
to with `user_id=` (their dialog's chat_id is another number), a group with `chat_id=`.
Texts are the bot's Telegram-flavoured HTML, rendered for MAX and split under 4000
characters, the buttons under the last part; an edit cannot be split, so a text too long for
one message is refused (`Unreachable`) rather than cut, and the caller sends it anew.

A 429 carries no retry hint, so the wait grows (1 s, 2 s, 4 s … up to a minute) and the same
request goes again for as long as Telegram's outbound path waits (OUTBOUND_GIVE_UP_SECONDS,
ten minutes): an answer meant for a person is not lost to a spell of 429s. Past that it is
given up loudly — an error in the log and `moc_outbound_given_up_total{priority="max"}` — and
Deferred raised (nothing was sent); a person's text reply is then kept in the outbox
(bot/services/outbox), as is one still waiting when the runtime stops (`keep_waiting`), and the
jobs loop sends it later. Inside `patience(s)` a wait that would go past `s` raises
Deferred at once instead (the caller keeps the message for later).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from bot.core import metrics
from bot.core.messages import (
    Deferred,
    Keyboard,
    MessageRef,
    OutFile,
    Unreachable,
    allowed_wait,
)
from bot.services.outbox import Outbox, Parcel
from broadcasts.limiter import Priority, current_priority
from handlers.max import render
from handlers.max.client import (
    MaxAttachmentNotReady,
    MaxBlocked,
    MaxClient,
    MaxError,
    MaxNetworkError,
    MaxNotFound,
    MaxRetryAfter,
    MaxServerError,
    SentMessage,
)
from handlers.max.pacing import MaxPacer
from storage.db import SessionMaker
from storage.repositories.channel_ids import ChannelIdRepo

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_BACKOFF: Final = 1.0
MAX_BACKOFF: Final = 60.0
GIVE_UP: Final = 600.0  # seconds of 429 pauses for one message: Settings.outbound_give_up_seconds
FAULT_ATTEMPTS: Final = 3  # 5xx and network errors
NOT_READY_ATTEMPTS: Final = 10
IMAGES: Final = (".jpg", ".jpeg", ".png", ".gif", ".webp")
REMEMBERED: Final = 2000  # (chat, seq) → mid of recent messages, for refs without a mid


def max_buttons(buttons: Keyboard | None) -> list[dict[str, Any]]:
    """The neutral keyboard as MAX's `inline_keyboard` attachment (or nothing)."""
    keyboard = render.inline_keyboard(buttons or ())
    return [keyboard] if keyboard is not None else []


@dataclass
class _Waiting:
    """A person's reply on its way: the parts not sent yet, what the outbox would keep."""

    chat_id: int
    parts: list[str]
    keyboard: list[dict[str, Any]]
    in_flight: bool = False
    kept: bool = False
    sent: int = field(default=0)


class _GaveUp(Deferred):
    """429s past the give-up time (the caller sees Deferred, as before)."""


class _Failing(Unreachable):
    """MAX kept failing on its side (5xx, no connection) through every attempt: a person's
    reply is kept in the outbox for the next pass rather than lost."""


class MaxMessenger:
    channel = "max"

    def __init__(
        self,
        client: MaxClient,
        sessionmaker: SessionMaker,
        pacer: MaxPacer,
        *,
        give_up: float = GIVE_UP,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client, self._sessionmaker, self._pacer, self._sleep = (
            client, sessionmaker, pacer, sleep,
        )  # fmt: skip
        self._give_up = give_up
        self.outbox: Outbox | None = None
        self._waiting: dict[int, _Waiting] = {}
        self._ids = itertools.count()
        self._external: dict[int, int] = {}
        self._mids: OrderedDict[tuple[int, int], str] = OrderedDict()

    async def target(self, chat_id: int) -> tuple[int | None, int | None]:
        """(MAX chat_id, None) for a group, (None, MAX user_id) for a person."""
        external = self._external.get(chat_id)
        if external is None:
            async with self._sessionmaker() as session:
                external = await ChannelIdRepo(session).external(chat_id)
            if external is None:
                raise Unreachable(f"no MAX id behind {chat_id}", gone=True)
            self._external[chat_id] = external
        return (None, external) if chat_id > 0 else (external, None)

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        target = await self.target(chat_id)
        parts = render.render_text(text) or ["—"]
        entry = _Waiting(chat_id, parts, max_buttons(buttons))
        keepable = self.outbox is not None and allowed_wait() is None
        key = next(self._ids)
        if keepable and current_priority.get() is Priority.PERSON:
            self._waiting[key] = entry
        try:
            return await self._send_parts(target, entry)
        except _GaveUp:
            if key in self._waiting:
                await self._keep(entry, "MAX kept answering 429 past the give-up time")
            raise
        except _Failing as exc:
            if key not in self._waiting or not await self._keep(entry, f"MAX failing: {exc}"):
                raise
            raise Deferred(f"MAX reply to {chat_id} kept in the outbox: {exc}") from exc
        finally:
            self._waiting.pop(key, None)

    async def _send_parts(
        self, target: tuple[int | None, int | None], entry: _Waiting
    ) -> MessageRef:
        sent: SentMessage | None = None
        for n, part in enumerate(entry.parts, start=1):
            attachments = entry.keyboard if n == len(entry.parts) else []
            sent = await self._post(entry.chat_id, target, part, attachments, entry)
            entry.sent = n
        assert sent is not None
        return self._ref(entry.chat_id, sent)

    async def _keep(self, entry: _Waiting, why: str) -> bool:
        """The parts not sent yet into the outbox, each a row (in order)."""
        if self.outbox is None or entry.kept:
            return False
        entry.kept = True
        left = entry.parts[entry.sent :]
        try:
            for n, part in enumerate(left, start=1):
                buttons = json.dumps(entry.keyboard) if n == len(left) and entry.keyboard else None
                await self.outbox.keep(
                    Parcel("max", entry.chat_id, part, parse_mode="html", buttons=buttons), why
                )
        except Exception:
            log.exception("outbox: could not keep a MAX reply to %s", entry.chat_id)
            return False
        return True

    async def keep_waiting(self) -> int:
        """At shutdown: every person's reply still waiting goes to the outbox (a request on
        the wire is left to finish); how many were kept."""
        kept = 0
        for entry in list(self._waiting.values()):
            if not entry.in_flight and not entry.kept:
                kept += await self._keep(entry, "waiting at shutdown")
        return kept

    async def _post(
        self,
        chat_id: int,
        target: tuple[int | None, int | None],
        text: str | None,
        attachments: list[dict[str, Any]],
        entry: _Waiting | None = None,
    ) -> SentMessage:
        return await self._with_retries(
            chat_id,
            lambda: self.client.send_message(
                chat_id=target[0], user_id=target[1], text=text, attachments=attachments
            ),
            entry=entry,
        )

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        mid = ref.ref or self._mids.get((ref.chat_id, ref.message_id))
        if not mid:
            raise Unreachable("the MAX id of this message is not known")
        parts = render.render_text(text) or ["—"]
        if len(parts) > 1:  # cut to one message, the rest would be lost: the caller sends anew
            raise Unreachable("too long to edit into one MAX message")
        part = parts[0]
        attachments = max_buttons(buttons)
        try:
            await self._with_retries(
                ref.chat_id,
                lambda: self.client.edit_message(mid, text=part, attachments=attachments),
                pace=False,
            )
        except Unreachable as exc:  # 404: the message is gone, not the person
            cause = exc.__cause__
            if isinstance(cause, MaxNotFound | MaxBlocked) and cause.code != "chat.denied":
                raise Unreachable(f"message not edited: {exc.reason}") from cause
            raise

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        """No text: MAX keeps the message's text; the attachments become the keyboard alone
        (a picture would go, so this is for text messages only)."""
        mid = ref.ref or self._mids.get((ref.chat_id, ref.message_id))
        if not mid:
            raise Unreachable("the MAX id of this message is not known")
        attachments = max_buttons(buttons)
        await self._with_retries(
            ref.chat_id,
            lambda: self.client.edit_message(mid, text=None, format=None, attachments=attachments),
            pace=False,
        )

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        target = await self.target(chat_id)
        kind = "image" if file.filename.lower().endswith(IMAGES) else "file"  # shown inline
        token = await self._with_retries(
            chat_id, lambda: self.client.upload(file.data, file.filename, kind), pace=False
        )
        attachment = {"type": kind, "payload": {"token": token}}
        parts = render.render_text(caption) if caption else []
        text = parts[0] if parts else None
        for attempt in range(NOT_READY_ATTEMPTS):
            try:
                sent = await self._post(chat_id, target, text, [attachment])
                return self._ref(chat_id, sent)
            except MaxAttachmentNotReady:  # MAX still processes the upload
                await self._sleep(0.5 * (attempt + 1))
        raise Unreachable("the uploaded file was never ready")

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        raise Unreachable("MAX cannot copy a message")

    async def delete(self, ref: MessageRef) -> None:
        mid = ref.ref or self._mids.get((ref.chat_id, ref.message_id))
        if not mid:
            raise Unreachable("the MAX id of this message is not known")
        await self._with_retries(ref.chat_id, lambda: self.client.delete_message(mid), pace=False)

    def mid_of(self, chat_id: int, message_id: int) -> str | None:
        """The `mid` of a recent message this messenger sent (internal chat id, seq): the
        broadcast worker of this process edits an author's progress message by it."""
        return self._mids.get((chat_id, message_id))

    @property
    def pacer(self) -> MaxPacer:
        """The pace this messenger keeps; a broadcast in the same process shares it."""
        return self._pacer

    # ----------------------------------------------------------------- internals

    def _ref(self, chat_id: int, sent: SentMessage) -> MessageRef:
        self._mids[(chat_id, sent.seq)] = sent.mid
        while len(self._mids) > REMEMBERED:
            self._mids.popitem(last=False)
        return MessageRef(chat_id, sent.seq, sent.mid)

    async def _with_retries(
        self,
        chat_id: int,
        call: Callable[[], Awaitable[T]],
        *,
        pace: bool = True,
        entry: _Waiting | None = None,
    ) -> T:
        """One call, paced; 429 waited out within the caller's patience, errors translated."""
        patience, waited, backoff = allowed_wait(), 0.0, FIRST_BACKOFF
        faults = 0
        while True:
            if pace:
                wait = await self._pacer.take(chat_id)
                if patience is not None and waited + wait > patience:
                    raise Deferred("MAX chat is busy")
                if wait > 0:
                    await self._sleep(wait)
                    waited += wait
            if entry is not None and entry.kept:  # the runtime stopped meanwhile
                raise Deferred(f"MAX reply to {chat_id} kept in the outbox")
            try:
                return await self._call(call, entry)
            except MaxRetryAfter as exc:
                if pace:  # a paced send's 429 is the bot's (its chat was kept to 2/s): a storm
                    self._pacer.slow_down()  # slows everyone; an edit's is its chat's alone
                if patience is not None and waited + backoff > patience:
                    raise Deferred(str(exc)) from exc
                if waited + backoff > self._give_up:
                    raise self._gave_up(chat_id, waited, exc) from exc
                log.info("MAX 429 for %s: waiting %.0f s", chat_id, backoff)
                await self._sleep(backoff)
                waited += backoff
                backoff = min(backoff * 2, MAX_BACKOFF)
            except (MaxBlocked, MaxNotFound) as exc:
                raise Unreachable(f"{exc.code}: {exc.message}", gone=True) from exc
            except (MaxServerError, MaxNetworkError) as exc:
                faults += 1
                if faults >= FAULT_ATTEMPTS:
                    raise _Failing(str(exc)) from exc
                await self._sleep(FIRST_BACKOFF * faults)
            except MaxAttachmentNotReady:
                raise
            except MaxError as exc:
                raise Unreachable(str(exc)) from exc

    @staticmethod
    async def _call(call: Callable[[], Awaitable[T]], entry: _Waiting | None) -> T:
        """The request itself; a reply on the wire is not kept at shutdown (sent twice)."""
        if entry is None:
            return await call()
        entry.in_flight = True
        try:
            return await call()
        finally:
            entry.in_flight = False

    def _gave_up(self, chat_id: int, waited: float, exc: MaxRetryAfter) -> Deferred:
        """As Telegram's outbound path gives up, and as loudly (a person's text reply is then
        kept in the outbox by `send`)."""
        metrics.outbound_given_up("max")
        log.error("MAX message to %s given up after %.0f s of 429: %s", chat_id, waited, exc)
        return _GaveUp(f"MAX kept answering 429 for {waited:.0f} s")
