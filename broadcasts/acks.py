"""«Ознакомлен»: who confirmed reading a broadcast, once per person, and who has not yet.

The unique (broadcast_id, user_id) decides "first time" — a double tap or two taps from two
groups at the same second insert one row — so the handler can answer «Спасибо» or «Вы уже
отметились» from the return value alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.repositories import Repositories


@dataclass(frozen=True)
class AckReport:
    by_chat: dict[int, list[str]]  # chat id → names, in the order they pressed
    pending_private: list[int]  # user ids of private recipients who have not acked


async def record_ack(
    session: AsyncSession, broadcast_id: int, chat_id: int, user_id: int, user_name: str
) -> bool:
    """True only the first time this person confirms this broadcast (False if it is unknown)."""
    repo = Repositories(session)
    if await repo.broadcasts.get(broadcast_id) is None:
        return False
    return await repo.deliveries.add_ack(broadcast_id, chat_id, user_id, user_name, utcnow())


async def ack_report(session: AsyncSession, broadcast_id: int) -> AckReport:
    deliveries = Repositories(session).deliveries
    by_chat: dict[int, list[str]] = {}
    acked: set[int] = set()
    for chat_id, user_id, name in await deliveries.acks(broadcast_id):
        by_chat.setdefault(chat_id, []).append(name or str(user_id))
        acked.add(user_id)
    delivered = await deliveries.delivered_private(broadcast_id)
    return AckReport(by_chat, [user_id for user_id in delivered if user_id not in acked])
