"""Whole-entry versions of the knowledge base saved from the staff web panel.

Every save (an edit, a new entry, a question attached, a revert) adds one row holding the
entry as it is from then on; the newest row of an entry id is what the bot serves instead of
the YAML (or the chat-made entry). Older rows are the history staff see and revert to. A row
with `active` false sends the entry back to its file version (or hides a panel-made entry).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class FaqEntryVersion(Base):
    __tablename__ = "faq_entry_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # create, edit, attach, revert, reset
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    category: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(256))
    answer: Mapped[str] = mapped_column(Text)
    questions: Mapped[list[str]] = mapped_column(JSON)
    links: Mapped[list[Any]] = mapped_column(JSON)  # [[title, url], ...]
    related: Mapped[list[str]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(String(500), default="")  # what changed, in Russian
    kb_version: Mapped[int] = mapped_column(Integer)  # faq_version this save made
    staff_id: Mapped[int] = mapped_column(BigInteger)
    staff_name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # [[question, user id], …]: the questions here that are a person's own words (an
    # unanswered question attached, a chat sample folded in); /forget_me takes them out of
    # every version. NULL when there are none.
    asked: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
