"""Replies to people the messenger refused for too long, kept until they are delivered.

A row is written when an answer meant for a person was still refused (429) at
OUTBOUND_GIVE_UP_SECONDS or was waiting when the process stopped; the jobs loop resends the
rows of each chat in order and deletes each once sent (bot/services/outbox). A loop claims
the rows it is about to send (`claimed_until`, a lease) so that a second loop skips them; a
row older than OUTBOX_MAX_AGE_HOURS is dropped instead of sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """One message as its messenger takes it: text and parse mode, buttons as the channel's
    own JSON, a file by the messenger's reference (media without one is skipped, and said)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the order within a chat
    channel: Mapped[str] = mapped_column(String(8))  # "tg" | "max"
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)  # the bot's internal id
    kind: Mapped[str] = mapped_column(String(16))  # "text" | "photo" | "document"
    text: Mapped[str] = mapped_column(Text, default="")
    parse_mode: Mapped[str | None] = mapped_column(String(16))
    buttons: Mapped[str | None] = mapped_column(Text)  # the channel's own keyboard JSON
    media: Mapped[str | None] = mapped_column(String(255))  # file_id / MAX token
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # a loop is sending it until then (None: free); also the claim's token, being unique per row
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
