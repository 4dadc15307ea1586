"""Database models, one module per area; every name is importable from `storage.models`.

Times are stored in UTC and always come back timezone-aware. Importing this package registers
every table on `Base.metadata`, which is what Alembic (storage/migrations/env.py) compares.
"""

from __future__ import annotations

from storage.models.base import NAMING, Base, UTCDateTime, utcnow
from storage.models.broadcasts import (
    Ack,
    AckListPost,
    Audience,
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    ChatTag,
    Delivery,
    DeliveryStatus,
    Subscription,
)
from storage.models.events import (
    SEATED,
    Consent,
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
    Organisation,
    ParticipationDocument,
    Registration,
    RegistrationStatus,
    ReminderSent,
    SessionMark,
    TeacherProfile,
)
from storage.models.faq import FaqDraft, FaqQuery, FaqStaffEntry, FaqStaffSample, FaqVersion
from storage.models.faq_history import FaqEntryVersion
from storage.models.files import StoredFile
from storage.models.outbox import OutboxMessage
from storage.models.people import Role, StaffPost, Ticket, TicketMessage, TicketStatus, User
from storage.models.staff import AuditEntry, StaffInvite, StaffMember, StaffRole
from storage.models.transfers import FORGOTTEN_OWNER, TransferCode, TransferMiss
from storage.models.updates import ChannelId, FsmRecord, ProcessedUpdate, UpdateMarker
from storage.models.web import WebSession, WebUsedLink

__all__ = [
    "FORGOTTEN_OWNER",
    "NAMING",
    "SEATED",
    "Ack",
    "AckListPost",
    "Audience",
    "AuditEntry",
    "Base",
    "Broadcast",
    "BroadcastState",
    "ChannelId",
    "Chat",
    "ChatAudience",
    "ChatTag",
    "Consent",
    "Delivery",
    "DeliveryStatus",
    "Event",
    "EventFormat",
    "EventKind",
    "EventSession",
    "EventStatus",
    "FaqDraft",
    "FaqEntryVersion",
    "FaqQuery",
    "FaqStaffEntry",
    "FaqStaffSample",
    "FaqVersion",
    "FsmRecord",
    "Organisation",
    "OutboxMessage",
    "ParticipationDocument",
    "ProcessedUpdate",
    "Registration",
    "RegistrationStatus",
    "ReminderSent",
    "Role",
    "SessionMark",
    "StaffInvite",
    "StaffMember",
    "StaffPost",
    "StaffRole",
    "StoredFile",
    "Subscription",
    "TeacherProfile",
    "Ticket",
    "TicketMessage",
    "TicketStatus",
    "TransferCode",
    "TransferMiss",
    "UTCDateTime",
    "UpdateMarker",
    "User",
    "WebSession",
    "WebUsedLink",
    "utcnow",
]
