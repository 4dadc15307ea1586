"""The staff web panel's sign-in state: used one-time links and open browser sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class WebUsedLink(Base):
    """A sign-in link already opened: a link works once, so its nonce is kept until it expires."""

    __tablename__ = "web_used_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser. The key is the SHA-256 of the cookie, so the table alone (a backup,
    a leak) opens no session."""

    __tablename__ = "web_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(BigInteger, index=True)
    staff_name: Mapped[str] = mapped_column(String(256))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
