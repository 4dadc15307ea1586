"""МОЦ staff in the database: who has staff rights, open invite links, and the audit log.

Owners come from ADMIN_IDS / MAX_ADMIN_IDS (settings) and are never stored as removable rows;
everyone an owner invites is a `staff_members` row. Person ids are internal
(`bot.core.ids`): a MAX person is ±(2**60+n), a Telegram one is their Telegram id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class StaffRole(StrEnum):
    OWNER = "owner"  # from settings: always staff, invites and removes others
    STAFF = "staff"  # added through an invite link


class StaffMember(Base):
    __tablename__ = "staff_members"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16), default=StaffRole.STAFF)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffInvite(Base):
    """One invite link: usable once (`used_by` is set by a conditional UPDATE) until it expires."""

    __tablename__ = "staff_invites"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what to what, and when: staff changes now, any panel page's actions later.

    `action` is a short dotted key (`staff.add`), `subject` what it touched (`person:42`,
    `faq:entry-id`), `detail` free text for people reading the log."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the system itself
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
