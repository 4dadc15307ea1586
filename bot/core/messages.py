"""What services say to people, without a messenger's types: the port every adapter implements.

A service that must write to someone (a ticket to staff, an answer back to the asker, a
reminder) holds a `Messenger` and speaks in these values:

* text is in one neutral markup, the HTML subset both Telegram and MAX render (b, i, u, s, a,
  code, pre), with every interpolated value escaped by `bot.core.markup.q`;
* buttons are rows of `Button(label, action=…)`, `Button(label, url=…)` or
  `Button.contact(label)` (asks for the person's phone number: Telegram's reply-keyboard
  `request_contact`, MAX's `request_contact` button); an action is the payload string a press
  brings back (`prefix:field:…`, the packing of aiogram's CallbackData, which the MAX adapter
  parses the same way) — see `pack`;
* the result is a `MessageRef` or one of two exceptions: `Unreachable` (the person blocked the
  bot, the chat is gone) or `Deferred` (the chat is throttled longer than the caller's patience;
  nothing was sent, try later).

The Telegram adapter implements it in `handlers.tg.messenger`; tests drive services through a
fake in `tests/fakes/channel.py` that imports no aiogram.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.ids import channel_of

ACTION_LIMIT = 64  # bytes: Telegram's callback_data limit, the tighter of the two messengers


@dataclass(frozen=True)
class Button:
    label: str
    action: str | None = None
    url: str | None = None
    asks_contact: bool = False  # the press shares the person's own phone number

    def __post_init__(self) -> None:
        if [self.action is not None, self.url is not None, self.asks_contact].count(True) != 1:
            raise ValueError("a button has one of an action, a url or a contact request")
        if self.action is not None and len(self.action.encode()) > ACTION_LIMIT:
            raise ValueError(f"action payload over {ACTION_LIMIT} bytes: {self.action!r}")

    @classmethod
    def contact(cls, label: str) -> Button:
        """«Share my number»: the answer comes back as a contact message, not a press."""
        return cls(label, asks_contact=True)


Keyboard = tuple[tuple[Button, ...], ...]


def rows(*buttons: Button, per_row: Sequence[int] = (1,)) -> Keyboard:
    """Buttons laid out like aiogram's `adjust`: row sizes, the last size repeating."""
    out: list[tuple[Button, ...]] = []
    index, size_at = 0, 0
    while index < len(buttons):
        size = per_row[min(size_at, len(per_row) - 1)]
        out.append(tuple(buttons[index : index + size]))
        index += size
        size_at += 1
    return tuple(out)


def pack(prefix: str, *values: str | int) -> str:
    """An action payload: `prefix:v1:v2…`, exactly as aiogram's CallbackData.pack() writes it."""
    return ":".join([prefix, *(str(v) for v in values)])


@dataclass(frozen=True)
class Person:
    """Who, for a service: the messenger, the id there and a display name."""

    channel: str
    id: int
    name: str = ""


@dataclass(frozen=True)
class MessageRef:
    """Where a sent message lives, to edit it or to know what a reply answers. `ref` is the
    messenger's own string id where it has one (MAX: `mid.…`; `message_id` is then its seq)."""

    chat_id: int
    message_id: int
    ref: str = ""


@dataclass(frozen=True)
class OutFile:
    filename: str
    data: bytes = field(repr=False)


class Unreachable(Exception):
    """The message cannot arrive: blocked by the person, chat gone, or refused for good."""

    def __init__(self, reason: str, *, gone: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone  # the person blocked the bot or the chat no longer exists


class Deferred(Exception):
    """The chat is throttled for longer than the caller agreed to wait; nothing was sent.
    `retry_after`: the messenger's own word on how long to wait, when it gave one (a sender
    that paced itself handles its flood waits, e.g. the reminder job)."""

    def __init__(self, reason: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Messenger(Protocol):
    """One messenger as services see it. Every method may raise Unreachable or Deferred."""

    channel: str

    async def send(
        self, chat_id: int, text: str, buttons: Keyboard | None = None
    ) -> MessageRef: ...

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None: ...

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        """Change the buttons under the bot's own text message, its text left as it is (a
        note of a ticket closed since)."""
        ...

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef: ...

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        """Forward a person's own message (a screenshot) without the «forwarded from» line."""
        ...

    async def delete(self, ref: MessageRef) -> None:
        """Remove the bot's own message (a picture /forget_me cannot edit into text)."""
        ...


_patience: contextvars.ContextVar[float | None] = contextvars.ContextVar("patience", default=None)


@contextlib.contextmanager
def patience(seconds: float) -> Iterator[None]:
    """Sends inside wait at most `seconds` for their slot, then raise Deferred, so the caller
    can keep the message for later instead of holding its update (staff-chat posts)."""
    token = _patience.set(seconds)
    try:
        yield
    finally:
        _patience.reset(token)


def allowed_wait() -> float | None:
    """The current `patience`, read by an adapter's outbound path; None: wait as long as needed."""
    return _patience.get()


class Switchboard:
    """One Messenger over several: each call goes to the messenger of its chat's channel
    (`bot.core.ids.channel_of`), so services need not know where a person is."""

    channel = "any"

    def __init__(self, messengers: dict[str, Messenger]) -> None:
        self.messengers = messengers

    def of(self, chat_id: int) -> Messenger:
        channel = channel_of(chat_id)
        try:
            return self.messengers[channel]
        except KeyError:
            raise Unreachable(f"no {channel} messenger configured", gone=False) from None

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        return await self.of(chat_id).send(chat_id, text, buttons)

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        await self.of(ref.chat_id).edit(ref, text, buttons)

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        await self.of(ref.chat_id).set_buttons(ref, buttons)

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        return await self.of(chat_id).send_file(chat_id, file, caption)

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        if channel_of(ref.chat_id) != channel_of(to_chat_id):
            raise Unreachable("a message cannot be copied into another messenger")
        return await self.of(to_chat_id).copy(ref, to_chat_id, buttons, caption)

    async def delete(self, ref: MessageRef) -> None:
        await self.of(ref.chat_id).delete(ref)
