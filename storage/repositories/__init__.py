"""Repositories: the only code that talks SQL. They flush, never commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.ack_lists import AckListRepo
from storage.repositories.audiences import AudienceRepo
from storage.repositories.broadcasts import BroadcastRepo
from storage.repositories.channel_ids import ChannelIdRepo
from storage.repositories.chats import ChatRepo
from storage.repositories.deliveries import DeliveryRepo
from storage.repositories.dialog_states import DialogStateRepo
from storage.repositories.documents import DocumentRepo
from storage.repositories.events import EventRepo
from storage.repositories.faq_history import FaqHistoryRepo
from storage.repositories.faq_kb import FaqKbRepo
from storage.repositories.faq_log import FaqLogRepo
from storage.repositories.markers import MarkerRepo
from storage.repositories.profiles import ProfileRepo
from storage.repositories.reminders import ReminderRepo
from storage.repositories.staff import StaffRepo
from storage.repositories.stored_files import StoredFileRepo
from storage.repositories.tickets import TicketRepo
from storage.repositories.transfers import TransferRepo
from storage.repositories.users import UserRepo
from storage.repositories.web import WebRepo


class Repositories:
    """One object per unit of work (an update, a delivery step), holding one session; the
    handler or service that owns the unit commits once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepo(session)
        self.tickets = TicketRepo(session)
        self.faq_log = FaqLogRepo(session)
        self.faq_kb = FaqKbRepo(session)
        self.faq_history = FaqHistoryRepo(session)
        self.events = EventRepo(session)
        self.profiles = ProfileRepo(session)
        self.chats = ChatRepo(session)
        self.audiences = AudienceRepo(session)
        self.broadcasts = BroadcastRepo(session)
        self.deliveries = DeliveryRepo(session)
        self.ack_lists = AckListRepo(session)
        self.reminders = ReminderRepo(session)
        self.channel_ids = ChannelIdRepo(session)
        self.dialog_states = DialogStateRepo(session)
        self.web = WebRepo(session)
        self.markers = MarkerRepo(session)
        self.staff = StaffRepo(session)
        self.files = StoredFileRepo(session)
        self.transfers = TransferRepo(session)
        self.documents = DocumentRepo(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


__all__ = [
    "AckListRepo",
    "AudienceRepo",
    "BroadcastRepo",
    "ChannelIdRepo",
    "ChatRepo",
    "DeliveryRepo",
    "DialogStateRepo",
    "DocumentRepo",
    "EventRepo",
    "FaqHistoryRepo",
    "FaqKbRepo",
    "FaqLogRepo",
    "ProfileRepo",
    "ReminderRepo",
    "Repositories",
    "StaffRepo",
    "StoredFileRepo",
    "TicketRepo",
    "TransferRepo",
    "UserRepo",
    "WebRepo",
]
