"""Files staff attach to a broadcast in the web panel, kept in the database.

The bytes live here, not on a disk of one machine, so every panel instance can show them and
whichever worker claims the broadcast can send them; messengers get them uploaded once per
broadcast and reuse their own id for the rest (handlers/tg, handlers/max broadcast channels).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class StoredFile(Base):
    """An uploaded photo or document; `used` once a broadcast refers to it (unused ones, left
    by a preview that was never sent, are removed after a day)."""

    __tablename__ = "stored_files"
    # drafts and broadcasts name a file by its id: SQLite must never give a deleted one's id
    # to a later upload (migration 0032); PostgreSQL's sequence never does
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "photo" | "document", as in Content
    name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
