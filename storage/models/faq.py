"""The FAQ: the question log, drafts and staff additions, and the knowledge-base version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class FaqQuery(Base):
    """A typed question and what the bot did with it; only the user id identifies the asker."""

    __tablename__ = "faq_queries"
    __table_args__ = (Index("ix_faq_queries_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # a screenshot or file the question came with: its message in the asker's private chat,
    # copied to staff if the asker hands the question to a specialist
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # a question answered from the knowledge base: the bot's answer in the asker's chat (the
    # message id; MAX: its seq), so «Спросить специалиста» under it finds this very question
    answer_id: Mapped[int | None] = mapped_column(BigInteger)


class FaqDraft(Base):
    """A staff answer proposed as a new FAQ entry; exported for editing the data files."""

    __tablename__ = "faq_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FaqStaffEntry(Base):
    """An FAQ entry written by staff in the bot (or a later web panel), merged into the YAML
    knowledge base at load; its sample questions are `FaqStaffSample` rows."""

    __tablename__ = "faq_staff_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(256))
    answer: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FaqStaffSample(Base):
    """A sample question staff attached to an entry (YAML or staff-made), e.g. one a parent
    asked that the bot could not answer (then `asked_by` is that parent)."""

    __tablename__ = "faq_staff_samples"
    __table_args__ = (UniqueConstraint("entry_id", "question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(String(1000))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # whose question it was (a parent's words may hold a name or a phone): /forget_me deletes
    # the sample and rebuilds the matcher; the cascade is a net for any other deletion
    asked_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class FaqVersion(Base):
    """One row: bumped with every staff change of the knowledge base, so each bot instance
    notices the change with one cheap read and rebuilds its matcher."""

    __tablename__ = "faq_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
