"""The messenger behind a broadcast, reduced to what the ledger needs to know.

The worker never sees an exception type of a messenger library: a channel turns every answer
into one of five outcomes, and the ledger has one rule per outcome (write `sent`, wait out a
flood, deactivate a chat, follow a migration, retry or give up). A MAX channel implements the
same Protocol and the rest of `broadcasts` stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import Keyboard
from broadcasts.content import Content


@dataclass(frozen=True)
class Sent:
    message_id: int


@dataclass(frozen=True)
class RetryAfter:
    """Flood control: nothing was delivered; the whole channel must pause this long, or only
    this chat when `per_chat` (MAX: its 429 names no scope, and its pace is not Telegram's)."""

    seconds: float
    per_chat: bool = False


@dataclass(frozen=True)
class Blocked:
    """The bot was blocked by the user or removed from the group: stop writing there."""

    reason: str


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup with a new id; nothing was delivered to the old one."""

    new_chat_id: int


@dataclass(frozen=True)
class Failed:
    """Not delivered; `permanent` says whether trying again can help."""

    reason: str
    permanent: bool


SendOutcome = Sent | RetryAfter | Blocked | Migrated | Failed


@dataclass(frozen=True)
class ProgressMessage:
    """Where the admin's progress message is: the author's chat, the message's id, and the
    messenger's own string id where it has one (MAX edits by `mid`; `message_id` is its seq)."""

    chat_id: int
    message_id: int
    ref: str | None = None
    anew: bool = False  # sent anew once already: not again, whichever process edits it


class Channel(Protocol):
    async def send(
        self,
        chat_id: int,
        content: Content,
        *,
        broadcast_id: int,
        is_private: bool,
        audience: str | None = None,
    ) -> SendOutcome:
        """Deliver one message; `audience` names the subscription «Отписаться» ends."""
        ...

    async def edit_progress(self, message: ProgressMessage, text: str) -> ProgressMessage | None:
        """Replace the text of the admin's progress message; failures are swallowed. The
        message it is from now on when it had to be sent anew (deleted by the author; MAX: too
        old to edit, or its `mid` unknown; Telegram: no longer editable), for the caller to
        keep; None otherwise."""
        ...

    async def notify(self, chat_id: int, text: str, buttons: Keyboard = ()) -> None:
        """Tell a person something (e.g. the author), with `buttons` under it (rows of
        labels and callback payloads); failures are swallowed."""
        ...
