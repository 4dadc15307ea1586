"""Chats, audiences and broadcasts: the registry, subscriptions, the ledger, acks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, utcnow


class Audience(StrEnum):
    PARENTS = "parents"
    DIRECTORS = "directors"
    TEACHERS = "teachers"
    STAFF = "staff"


class BroadcastState(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"
    MISSED = "missed"
    HELD = "held"  # half-sent, paused too long: its author decides whether the rest still go


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed; a crash here is the only way a message can repeat
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # 403: the bot was blocked or removed; the chat is deactivated


class Chat(Base):
    """A group, supergroup or channel the bot is in (private subscribers live elsewhere)."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), default="group")
    title: Mapped[str] = mapped_column(String(256), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    audiences: Mapped[list[ChatAudience]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[ChatTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class ChatAudience(Base):
    __tablename__ = "chat_audiences"
    # a group's move reported twice at once (ChatRepo.migrate): the second clears rows the
    # first already moved — nothing is lost, so no warning about 0 rows deleted
    __mapper_args__ = {"confirm_deleted_rows": False}  # noqa: RUF012 (SQLAlchemy's own)

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(16), primary_key=True)


class ChatTag(Base):
    """Free tags (a school, a district) for narrower targeting."""

    __tablename__ = "chat_tags"
    __mapper_args__ = {"confirm_deleted_rows": False}  # noqa: RUF012 (as ChatAudience)

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class Subscription(Base):
    """A private user who asked for the news of an audience (their role)."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Broadcast(Base):
    """One announcement. `content` is channel-neutral JSON (text/photo/document + button)."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_state_due", "state", "scheduled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text)
    audiences: Mapped[str] = mapped_column(String(128), default="")  # comma-separated
    tags: Mapped[str] = mapped_column(String(512), default="")  # comma-separated, any of
    # private subscribers too, or only groups (a tagged broadcast: subscribers carry no tags)
    include_private: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    state: Mapped[str] = mapped_column(String(16), default=BroadcastState.SCHEDULED)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    repeat: Mapped[str] = mapped_column(String(32), default="")  # "" or "weekly"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when its author was told how it ended; a cancel nobody was running to notice leaves it
    # empty, and the next worker pass owes that report
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # MAX edits a message by its `mid` (a string; `progress_message_id` is then its seq)
    progress_mid: Mapped[str | None] = mapped_column(String(128))
    # the message was already sent anew once: one that cannot be edited in turn is left alone
    progress_anew: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Delivery(Base):
    """The ledger: one row per (broadcast, chat), written as each message goes out."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "chat_id"),
        Index("ix_deliveries_broadcast_status", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Ack(Base):
    """«Ознакомлен»: recorded once per person per broadcast, with the chat it was pressed in."""

    __tablename__ = "acks"
    __table_args__ = (UniqueConstraint("broadcast_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    user_name: Mapped[str] = mapped_column(String(256), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AckListPost(Base):
    """One message of a «Кто ознакомился» list the bot sent to staff (a long list is several,
    `part` 0, 1, … after `head_id`, the first one's id): /forget_me rewrites them without the
    person, a MAX message by its `mid` (`ref`)."""

    __tablename__ = "ack_list_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    head_id: Mapped[int] = mapped_column(BigInteger)
    part: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int] = mapped_column(BigInteger)
    ref: Mapped[str] = mapped_column(String(128), default="", server_default="")
