"""«Ознакомлен»: who confirmed reading a broadcast, once per person, and who has not yet.

The unique (broadcast_id, user_id) decides "first time" — a double tap or two taps from two
groups at the same second insert one row — so the handler can answer «Спасибо» or «Вы уже
отметились» from the return value alone. A press is a payload anyone can forge, so a mark is
taken only for a broadcast that had the button and only from a chat it was delivered to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from broadcasts.content import Content
from storage.models import utcnow
from storage.repositories import Repositories

Refusal = Literal["gone", "no_button", "not_delivered"]


@dataclass(frozen=True)
class AckReport:
    by_chat: dict[int, list[str]]  # chat id → names, in the order they pressed
    pending_private: list[int]  # user ids of private recipients who have not acked


async def ack_refusal(session: AsyncSession, broadcast_id: int, chat_id: int) -> Refusal | None:
    """Why a press of «Ознакомлен» for `broadcast_id` in `chat_id` is not taken: the broadcast
    is gone, had no such button, or never reached that chat. None when it is taken."""
    repo = Repositories(session)
    broadcast = await repo.broadcasts.get(broadcast_id)
    if broadcast is None:
        return "gone"
    if not Content.from_json(broadcast.content).ack:
        return "no_button"
    if not await repo.deliveries.reached(broadcast_id, chat_id):
        return "not_delivered"
    return None


async def record_ack(
    session: AsyncSession, broadcast_id: int, chat_id: int, user_id: int, user_name: str
) -> bool:
    """True only the first time this person confirms this broadcast (False if the press is
    refused: see `ack_refusal`)."""
    if await ack_refusal(session, broadcast_id, chat_id) is not None:
        return False
    deliveries = Repositories(session).deliveries
    return await deliveries.add_ack(broadcast_id, chat_id, user_id, user_name, utcnow())


async def ack_report(session: AsyncSession, broadcast_id: int) -> AckReport:
    """Marks by chat; a group that became a supergroup between two presses is one chat, under
    the id it has now (its members pressed the same post before and after the move)."""
    repo = Repositories(session)
    by_chat: dict[int, list[str]] = {}
    acked: set[int] = set()
    now_at: dict[int, int] = {}
    for chat_id, user_id, name in await repo.deliveries.acks(broadcast_id):
        if chat_id not in now_at:
            current = await repo.chats.current(chat_id) if chat_id < 0 else None
            now_at[chat_id] = current.id if current is not None else chat_id
        by_chat.setdefault(now_at[chat_id], []).append(name or str(user_id))
        acked.add(user_id)
    delivered = await repo.deliveries.delivered_private(broadcast_id)
    return AckReport(by_chat, [user_id for user_id in delivered if user_id not in acked])
