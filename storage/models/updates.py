"""What the dispatcher keeps between updates: FSM dialog state, update ids handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class FsmRecord(Base):
    """Dialog state kept in the database so a restart mid-dialog loses nothing (no Redis)."""

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # a MAX dialog keeps its answers in the step (handlers.max.profile): text, not a name
    state: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Update ids already handled: Telegram retries a webhook delivery, we answer once.

    Rows older than a couple of days are pruned; a retry never comes that late.
    """

    __tablename__ = "processed_updates"

    # a rowid alias on SQLite (the fastest insert there), BIGINT without a sequence elsewhere
    update_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ChannelId(Base):
    """A messenger's own id of a person or a group, behind an internal id (`bot.core.ids`).

    Telegram ids are stored as they are and have no row here."""

    __tablename__ = "channel_ids"
    __table_args__ = (UniqueConstraint("channel", "kind", "external_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))  # user | chat
    external_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UpdateMarker(Base):
    """Where a messenger's long polling stopped (MAX's `marker`): a restart resumes there,
    so updates are neither replayed nor lost."""

    __tablename__ = "update_markers"

    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    marker: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
