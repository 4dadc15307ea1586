"""«Ознакомлен»: who confirmed reading a broadcast, once per person, and who has not yet.

The unique (broadcast_id, user_id) decides "first time" — a double tap or two taps from two
groups at the same second insert one row — so the handler can answer «Спасибо» or «Вы уже
отметились» from the return value alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from broadcasts.sql import insert_once
from storage.models import Ack, Broadcast, Delivery, DeliveryStatus, utcnow

NAME_LIMIT = 256  # Ack.user_name is String(256)


@dataclass(frozen=True)
class AckReport:
    by_chat: dict[int, list[str]]  # chat id → names, in the order they pressed
    pending_private: list[int]  # user ids of private recipients who have not acked


async def record_ack(
    session: AsyncSession, broadcast_id: int, chat_id: int, user_id: int, user_name: str
) -> bool:
    """True only the first time this person confirms this broadcast (False if it is unknown)."""
    if await session.get(Broadcast, broadcast_id) is None:
        return False
    return await insert_once(
        session, Ack, broadcast_id=broadcast_id, chat_id=chat_id, user_id=user_id,
        user_name=user_name[:NAME_LIMIT], at=utcnow(),
    )  # fmt: skip


async def ack_report(session: AsyncSession, broadcast_id: int) -> AckReport:
    acks = await session.execute(
        select(Ack.chat_id, Ack.user_id, Ack.user_name)
        .where(Ack.broadcast_id == broadcast_id)
        .order_by(Ack.at, Ack.id)
    )
    by_chat: dict[int, list[str]] = {}
    acked: set[int] = set()
    for chat_id, user_id, name in acks:
        by_chat.setdefault(chat_id, []).append(name or str(user_id))
        acked.add(user_id)
    delivered = await session.scalars(
        select(Delivery.chat_id)
        .where(
            Delivery.broadcast_id == broadcast_id,
            Delivery.is_private.is_(True),
            Delivery.status == DeliveryStatus.SENT,
        )
        .order_by(Delivery.chat_id)
    )
    return AckReport(by_chat, [user_id for user_id in delivered if user_id not in acked])
