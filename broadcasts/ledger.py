"""The delivery ledger: one row per (broadcast, chat), moved along by conditional UPDATEs.

pending → sending (claimed, committed before the send) → sent | blocked | failed, or back to
pending for another try. Every transition names the state it leaves, so two workers can never
both win a row, and the counts shown to the admin are read here, never kept in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from broadcasts.sql import insert_ignore, rowcount
from storage.models import Delivery, DeliveryStatus

ERROR_LIMIT = 300  # Delivery.error is String(300)


@dataclass(frozen=True)
class Row:
    id: int
    chat_id: int
    is_private: bool


async def materialise(
    session: AsyncSession, broadcast_id: int, recipients: Sequence[tuple[int, bool]], now: datetime
) -> bool:
    """Write the ledger once; False (nothing written) when it already exists."""
    exists = await session.scalar(
        select(Delivery.id).where(Delivery.broadcast_id == broadcast_id).limit(1)
    )
    if exists is not None:
        return False
    rows = [
        {"broadcast_id": broadcast_id, "chat_id": chat_id, "is_private": private,
         "status": DeliveryStatus.PENDING, "attempts": 0, "updated_at": now}
        for chat_id, private in recipients
    ]  # fmt: skip
    await insert_ignore(session, Delivery, rows)
    return True


async def requeue_interrupted(session: AsyncSession, broadcast_id: int) -> int:
    """Rows a dead worker left `sending` go out again: the only way a message can repeat."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.SENDING)
        .values(status=DeliveryStatus.PENDING)
    )
    return rowcount(result)


async def pending(
    session: AsyncSession, broadcast_id: int, exclude: Collection[int], limit: int
) -> list[Row]:
    query = select(Delivery.id, Delivery.chat_id, Delivery.is_private).where(
        Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.PENDING
    )
    if exclude:
        query = query.where(Delivery.id.not_in(list(exclude)))
    rows = await session.execute(query.order_by(Delivery.id).limit(limit))
    return [Row(*row) for row in rows]


async def claim(session: AsyncSession, delivery_id: int, now: datetime) -> int | None:
    """pending → sending; the attempt number, or None when someone else has the row."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, attempts=Delivery.attempts + 1, updated_at=now)
        .returning(Delivery.attempts)
    )
    return result.scalar_one_or_none()


async def settle(
    session: AsyncSession,
    delivery_id: int,
    status: DeliveryStatus,
    now: datetime,
    *,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    """sending → the outcome (or back to pending for another try)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.SENDING)
        .values(
            status=status,
            message_id=message_id,
            error=error[:ERROR_LIMIT] if error else None,
            updated_at=now,
        )
    )


async def move(session: AsyncSession, row: Row, broadcast_id: int, new_chat_id: int) -> bool:
    """Point a row at a migrated group's new id; if that id has a row already, drop this one.

    The unique (broadcast_id, chat_id) is what keeps a group from getting the message twice.
    """
    other = aliased(Delivery)
    taken = select(other.id).where(
        other.broadcast_id == broadcast_id, other.chat_id == new_chat_id
    )
    moved = await session.execute(
        update(Delivery).where(Delivery.id == row.id, ~taken.exists()).values(chat_id=new_chat_id)
    )
    if rowcount(moved):
        return True
    await session.execute(delete(Delivery).where(Delivery.id == row.id))
    return False


async def counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.status)
    )
    return {str(status): int(n) for status, n in rows}


async def counts_many(session: AsyncSession, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        rows = await session.execute(
            select(Delivery.broadcast_id, Delivery.status, func.count())
            .where(Delivery.broadcast_id.in_(ids))
            .group_by(Delivery.broadcast_id, Delivery.status)
        )
        for broadcast_id, status, n in rows:
            out[broadcast_id][str(status)] = int(n)
    return out


async def top_errors(
    session: AsyncSession, broadcast_id: int, limit: int = 3
) -> list[tuple[str, int]]:
    n = func.count().label("n")
    rows = await session.execute(
        select(Delivery.error, n)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.FAILED)
        .group_by(Delivery.error)
        .order_by(n.desc())
        .limit(limit)
    )
    return [(error or "неизвестная ошибка", int(count)) for error, count in rows]
