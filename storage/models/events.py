"""Events and registrations (teachers): sessions, seats, profiles, consents, reminders."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, utcnow


class EventKind(StrEnum):
    SEMINAR = "seminar"
    MASTER_CLASS = "master_class"
    WORKSHOP = "workshop"
    METHODICAL_MEETING = "methodical_meeting"
    ROUND_TABLE = "round_table"
    CONFERENCE = "conference"
    WEBINAR = "webinar"
    CONTEST = "contest"


class EventFormat(StrEnum):
    OFFLINE = "offline"
    ONLINE = "online"


class EventStatus(StrEnum):
    PUBLISHED = "published"
    CLOSED = "closed"  # registration closed, the event still happens
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


# a seat held: registered, or already ticked present (a workshop's later meetings still count)
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class Event(Base):
    """A seminar, master class, workshop series... `taken` counts confirmed seats.

    `taken` is changed only by conditional UPDATEs in the repository, so the capacity holds
    however many teachers press «Записаться» at the same second.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_starts", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_min: Mapped[int] = mapped_column(Integer, default=90)
    format: Mapped[str] = mapped_column(String(16), default=EventFormat.OFFLINE)
    place: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    organiser: Mapped[str] = mapped_column(String(200), default="")
    speaker: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.PUBLISHED)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # each change the participants are told of (time, place, cancelling): the .ics SEQUENCE,
    # so a phone calendar replaces its entry with the file sent after the change
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", order_by="EventSession.starts_at", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


class EventSession(Base):
    """One meeting of an event; a workshop series has several, a seminar has one."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_min: Mapped[int] = mapped_column(Integer, default=90)

    event: Mapped[Event] = relationship(back_populates="sessions")


class SessionMark(Base):
    """A participant ticked present at one meeting. `Registration.status` ATTENDED says «came to
    at least one»: a series' meetings are marked apart, so a tick or an untick at one never
    overwrites another's (one mark per registration did)."""

    __tablename__ = "session_marks"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Organisation(Base):
    """Organisations the МОЦ knows, offered as buttons in the teacher's profile."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)


class TeacherProfile(Base):
    """Personal data kept only after consent (152-ФЗ); deleted with /forget_me."""

    __tablename__ = "teacher_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(300))
    position: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    mailing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(Base):
    """Proof of consent: who, when, to which version of the text; kept without personal data."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # personal_data | mailing
    version: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Registration(Base):
    """A teacher on an event: registered, waiting (in order of `id`), cancelled or attended.

    /forget_me empties `user_id` and keeps the row (and its presence marks), so the yearly
    report's figures stay; the `anon_*` columns, set then, hold what the report needs of the
    person without anything that leads back to them (`EventRepo.anonymise`)."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_registrations_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # None: the person deleted their data (/forget_me)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_late: Mapped[bool] = mapped_column(Boolean, default=False)
    # "tg", "max": the messenger it was made from, once the row is no longer that account's
    # (/forget_me, /move to the other messenger); None: the account's own
    anon_channel: Mapped[str | None] = mapped_column(String(8))
    anon_person: Mapped[int | None] = mapped_column(Integer)  # one number per forgotten person

    event: Mapped[Event] = relationship(lazy="joined")


class ReminderSent(Base):
    """A reminder that went out; the unique key makes a second send impossible."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("registration_id", "session_id", "lead_min"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE")
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    lead_min: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ParticipationDocument(Base):
    """A participation confirmation (DOCX for the аттестация) given out: the yearly report counts
    them. One per person and event however often it is asked for; /forget_me clears `user_id`
    (who it was) and keeps the row, so the count of documents issued stays right."""

    __tablename__ = "participation_documents"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_participation_documents_issued_at", "issued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the person deleted their data
    channel: Mapped[str] = mapped_column(String(8))  # "tg", "max": where it was issued
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
