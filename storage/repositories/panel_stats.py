"""What the staff web panel reads and nothing else does: a broadcast's delivery by chat, acks
per broadcast, time to a ticket's first answer, broadcast totals for «Сводка».

Read-only queries; counting that must follow the МОЦ's time zone is left to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Ack,
    Broadcast,
    Chat,
    Delivery,
    Ticket,
    TicketMessage,
    User,
)
from storage.repositories.staff import not_staff

FAR = datetime(9999, 1, 1, tzinfo=UTC)  # no upper bound: the panel's rolling windows


@dataclass(frozen=True)
class ChatDelivery:
    chat_id: int
    is_private: bool
    title: str  # the group's title, or the person's name for a private recipient
    status: str
    error: str | None
    updated_at: datetime


class PanelStatsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def deliveries(
        self, broadcast_id: int, limit: int = 500, offset: int = 0
    ) -> list[ChatDelivery]:
        """The ledger of one broadcast with names, groups first, then by id; a page of it."""
        name = func.coalesce(Chat.title, User.first_name, "")
        rows = await self.session.execute(
            select(
                Delivery.chat_id,
                Delivery.is_private,
                name,
                Delivery.status,
                Delivery.error,
                Delivery.updated_at,
            )
            .outerjoin(Chat, Chat.id == Delivery.chat_id)
            .outerjoin(User, User.id == Delivery.chat_id)
            .where(Delivery.broadcast_id == broadcast_id)
            .order_by(Delivery.is_private, Delivery.id)
            .offset(offset)
            .limit(limit)
        )
        return [ChatDelivery(*row) for row in rows.all()]

    async def ack_counts(self, ids: Sequence[int]) -> dict[int, int]:
        """Broadcast id → how many people pressed «Ознакомлен»."""
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Ack.broadcast_id, func.count())
            .where(Ack.broadcast_id.in_(list(ids)))
            .group_by(Ack.broadcast_id)
        )
        return {int(b): int(n) for b, n in rows.all()}

    async def first_answer_delays(
        self, since: datetime, until: datetime | None = None, owners: frozenset[int] = frozenset()
    ) -> list[timedelta]:
        """For tickets opened since then (and before `until`) by no staff member (their tests,
        storage.repositories.staff.not_staff) and answered: first staff message − opened."""
        first = func.min(TicketMessage.created_at).label("first")
        rows = await self.session.execute(
            select(Ticket.created_at, first)
            .join(TicketMessage, TicketMessage.ticket_id == Ticket.id)
            .where(
                Ticket.created_at >= since,
                Ticket.created_at < (until or FAR),
                TicketMessage.from_staff.is_(True),
                not_staff(Ticket.user_id, owners),
            )
            .group_by(Ticket.id, Ticket.created_at)
        )
        return [answered - opened for opened, answered in rows.all() if answered is not None]

    async def delivery_totals(
        self, since: datetime, until: datetime | None = None
    ) -> dict[str, int]:
        """Ledger rows by status over broadcasts due since then (and before `until`), plus
        "acknowledged"."""
        due = (Broadcast.scheduled_at >= since, Broadcast.scheduled_at < (until or FAR))
        rows = await self.session.execute(
            select(Delivery.status, func.count())
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(*due)
            .group_by(Delivery.status)
        )
        totals = {str(status): int(n) for status, n in rows.all()}
        acks = await self.session.scalar(
            select(func.count())
            .select_from(Ack)
            .join(Broadcast, Broadcast.id == Ack.broadcast_id)
            .where(*due)
        )
        totals["acknowledged"] = int(acks or 0)
        return totals
