"""The delivery ledger and «Ознакомлен»: a row per (broadcast, chat), one per (broadcast, person).

pending → sending (claimed, committed by the caller before the send) → sent | blocked | failed,
or back to pending for another try. Every transition names the state it leaves, so two workers
can never both win a row, and the counts shown to the admin are read here, never kept in
memory. The unique (broadcast_id, chat_id) keeps a group from getting a message twice; the
unique (broadcast_id, user_id) of an ack decides "first time" under a double tap.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.ids import BASE
from storage.models import Ack, Chat, Delivery, DeliveryStatus
from storage.repositories.sql import affected, insert_ignore, insert_once

ERROR_LIMIT = 300  # Delivery.error is String(300)
NAME_LIMIT = 256  # Ack.user_name is String(256)


@dataclass(frozen=True)
class LedgerRow:
    id: int
    chat_id: int
    is_private: bool


class DeliveryRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def materialise(
        self, broadcast_id: int, recipients: Sequence[tuple[int, bool]], now: datetime
    ) -> bool:
        """Write the ledger once; False (nothing written) when it already exists."""
        exists = await self.session.scalar(
            select(Delivery.id).where(Delivery.broadcast_id == broadcast_id).limit(1)
        )
        if exists is not None:
            return False
        rows = [
            {"broadcast_id": broadcast_id, "chat_id": chat_id, "is_private": private,
             "status": DeliveryStatus.PENDING, "attempts": 0, "updated_at": now}
            for chat_id, private in recipients
        ]  # fmt: skip
        await insert_ignore(self.session, Delivery, rows)
        return True

    async def requeue_interrupted(self, broadcast_id: int) -> int:
        """Rows a dead worker left `sending` go out again: the only way a message can repeat."""
        return await affected(
            self.session,
            update(Delivery)
            .where(Delivery.broadcast_id == broadcast_id)
            .where(Delivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.PENDING),
        )

    async def pending(
        self, broadcast_id: int, exclude: Collection[int], limit: int
    ) -> list[LedgerRow]:
        query = select(Delivery.id, Delivery.chat_id, Delivery.is_private).where(
            Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.PENDING
        )
        if exclude:
            query = query.where(Delivery.id.not_in(list(exclude)))
        rows = await self.session.execute(query.order_by(Delivery.id).limit(limit))
        return [LedgerRow(*row) for row in rows]

    async def claim(self, delivery_id: int, now: datetime) -> int | None:
        """pending → sending; the attempt number, or None when someone else has the row."""
        result = await self.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.SENDING, attempts=Delivery.attempts + 1, updated_at=now)
            .returning(Delivery.attempts)
        )
        return result.scalar_one_or_none()

    async def settle(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        now: datetime,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """sending → the outcome (or back to pending for another try)."""
        await self.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.SENDING)
            .values(
                status=status,
                message_id=message_id,
                error=error[:ERROR_LIMIT] if error else None,
                updated_at=now,
            )
        )

    async def move(self, row: LedgerRow, broadcast_id: int, new_chat_id: int) -> bool:
        """Point a row at a migrated group's new id; if that id has a row already, drop it."""
        other = aliased(Delivery)
        taken = select(other.id).where(
            other.broadcast_id == broadcast_id, other.chat_id == new_chat_id
        )
        moved = update(Delivery).where(Delivery.id == row.id, ~taken.exists())
        if await affected(self.session, moved.values(chat_id=new_chat_id)):
            return True
        await self.session.execute(delete(Delivery).where(Delivery.id == row.id))
        return False

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.status)
        )
        return {str(status): int(n) for status, n in rows}

    async def counts_many(self, ids: Sequence[int]) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {i: {} for i in ids}
        if ids:
            rows = await self.session.execute(
                select(Delivery.broadcast_id, Delivery.status, func.count())
                .where(Delivery.broadcast_id.in_(ids))
                .group_by(Delivery.broadcast_id, Delivery.status)
            )
            for broadcast_id, status, n in rows:
                out[broadcast_id][str(status)] = int(n)
        return out

    async def counts_by_channel(self, broadcast_id: int) -> dict[str, dict[str, int]]:
        """Ledger rows of one broadcast per messenger (`bot.core.ids.channel_of`) and status."""
        is_max = (Delivery.chat_id >= BASE) | (Delivery.chat_id <= -BASE)
        channel = case((is_max, "max"), else_="tg").label("channel")
        rows = await self.session.execute(
            select(channel, Delivery.status, func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(channel, Delivery.status)
        )
        out: dict[str, dict[str, int]] = {}
        for name, status, n in rows:
            out.setdefault(str(name), {})[str(status)] = int(n)
        return out

    async def top_errors(self, broadcast_id: int, limit: int = 3) -> list[tuple[str, int]]:
        n = func.count().label("n")
        rows = await self.session.execute(
            select(Delivery.error, n)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.FAILED)
            .group_by(Delivery.error)
            .order_by(n.desc())
            .limit(limit)
        )
        return [(error or "неизвестная ошибка", int(count)) for error, count in rows]

    async def delivered_private(self, broadcast_id: int) -> list[int]:
        """User ids a broadcast reached in private, in id order."""
        rows = await self.session.scalars(
            select(Delivery.chat_id)
            .where(
                Delivery.broadcast_id == broadcast_id,
                Delivery.is_private.is_(True),
                Delivery.status == DeliveryStatus.SENT,
            )
            .order_by(Delivery.chat_id)
        )
        return list(rows.all())

    async def reached(self, broadcast_id: int, chat_id: int) -> bool:
        """Whether the broadcast went (or is going out) to this chat, or to the group it was
        before becoming this supergroup: the message pressed under is there."""
        before = select(Chat.id).where(Chat.migrated_to == chat_id)
        found = await self.session.scalar(
            select(Delivery.id)
            .where(
                Delivery.broadcast_id == broadcast_id,
                or_(Delivery.chat_id == chat_id, Delivery.chat_id.in_(before)),
                Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.SENDING)),
            )
            .limit(1)
        )
        return found is not None

    async def private_count(self, user_id: int) -> int:
        """How many broadcasts the ledger holds as sent (or tried) to this person privately."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.is_private.is_(True), Delivery.chat_id == user_id)
        )
        return int(count or 0)

    async def add_ack(
        self, broadcast_id: int, chat_id: int, user_id: int, user_name: str, at: datetime
    ) -> bool:
        """True only the first time this person confirms this broadcast."""
        return await insert_once(
            self.session, Ack, broadcast_id=broadcast_id, chat_id=chat_id, user_id=user_id,
            user_name=user_name[:NAME_LIMIT], at=at,
        )  # fmt: skip

    async def acks(self, broadcast_id: int) -> list[tuple[int, int, str]]:
        """(chat id, user id, name) of every confirmation, in the order they were pressed."""
        rows = await self.session.execute(
            select(Ack.chat_id, Ack.user_id, Ack.user_name)
            .where(Ack.broadcast_id == broadcast_id)
            .order_by(Ack.at, Ack.id)
        )
        return [(chat_id, user_id, name) for chat_id, user_id, name in rows]
