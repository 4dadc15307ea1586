"""The persistent outbox: a reply meant for a person is never lost to a messenger's 429s.

An adapter's outbound path waits out flood control for a person's reply up to
OUTBOUND_GIVE_UP_SECONDS; a reply still refused then, or still waiting when the process stops,
is handed to `Outbox.keep` as a `Parcel` in the messenger's own terms and stored. The jobs
loop (`worker.OutboxWorker`) sends the stored replies of each chat in order through the
messenger's `OutboxChannel`, which paces them with the same limiter as everything else, and
deletes each row once sent. One service for Telegram and MAX, as broadcasts/ is: a ledger
(storage.repositories.outbox), a worker, the channels' own limiters.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bot.core import metrics
from storage.db import SessionMaker
from storage.models import OutboxMessage
from storage.repositories.outbox import OutboxRepo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parcel:
    """One message as its messenger takes it (`buttons`: the channel's own keyboard JSON)."""

    channel: str
    chat_id: int
    text: str
    kind: str = "text"
    parse_mode: str | None = None
    buttons: str | None = None
    media: str | None = None
    priority: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    attempts: int = 0
    id: int | None = None


class Outcome(enum.Enum):
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot or the chat is gone: dropped
    LATER = "later"  # still throttled, or a passing fault: the row waits


class OutboxChannel(Protocol):
    """A messenger's side of the outbox: send one stored parcel, paced like any reply."""

    async def deliver(self, parcel: Parcel) -> Outcome: ...


def parcel_of(row: OutboxMessage) -> Parcel:
    return Parcel(
        channel=row.channel, chat_id=row.chat_id, text=row.text, kind=row.kind,
        parse_mode=row.parse_mode, buttons=row.buttons, media=row.media,
        priority=row.priority, created_at=row.created_at, attempts=row.attempts, id=row.id,
    )  # fmt: skip


class Outbox:
    """Stores the parcels an outbound path could not deliver."""

    def __init__(self, sessionmaker: SessionMaker) -> None:
        self._sessionmaker = sessionmaker

    async def keep(self, parcel: Parcel, why: str) -> None:
        row = OutboxMessage(
            channel=parcel.channel, chat_id=parcel.chat_id, kind=parcel.kind,
            text=parcel.text, parse_mode=parcel.parse_mode, buttons=parcel.buttons,
            media=parcel.media, priority=parcel.priority, created_at=parcel.created_at,
            attempts=parcel.attempts,
        )  # fmt: skip
        async with self._sessionmaker() as session:
            row_id = await OutboxRepo(session).add(row)
            await session.commit()
        metrics.outbox("stored", parcel.channel)
        log.warning(
            "%s reply to chat %s kept in the outbox (row %s): %s",
            parcel.channel, parcel.chat_id, row_id, why,
        )  # fmt: skip
