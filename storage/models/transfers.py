"""One-time codes that move a person's data to another messenger account (/move), and the
wrong codes an account sent (a limit on guessing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow

# the owner of a code whose account was deleted since (/forget_me): the code stays known as
# one, refused with its own words, and names nobody
FORGOTTEN_OWNER = 0


class TransferCode(Base):
    """Only the code's hash is kept, with whose data it moves and until when. No foreign key
    to `users`: /forget_me sets `user_id` to FORGOTTEN_OWNER instead of deleting the row."""

    __tablename__ = "transfer_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TransferMiss(Base):
    """A wrong code sent from an account, kept an hour: past a few the account waits, so
    codes cannot be guessed by sending many (only the id and the time; /forget_me deletes)."""

    __tablename__ = "transfer_misses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
