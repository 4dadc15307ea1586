"""Where the bot's «Кто ознакомился» lists went, so /forget_me can rewrite them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ack, AckListPost, Delivery


@dataclass(frozen=True)
class ListPost:
    broadcast_id: int
    chat_id: int
    head_id: int  # the list's first message: the parts of one list share it
    part: int
    message_id: int
    ref: str


class AckListRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, broadcast_id: int, chat_id: int, head_id: int, part: int, message_id: int, ref: str
    ) -> None:
        self.session.add(
            AckListPost(
                broadcast_id=broadcast_id, chat_id=chat_id, head_id=head_id, part=part,
                message_id=message_id, ref=ref,
            )
        )  # fmt: skip
        await self.session.flush()

    async def naming(self, user_id: int) -> list[int]:
        """Broadcasts whose lists may name the person: they acked, or it reached them in
        private (a list names who has not acked yet). Read before /forget_me deletes both."""
        acked = select(Ack.broadcast_id).where(Ack.user_id == user_id)
        reached = select(Delivery.broadcast_id).where(
            Delivery.is_private.is_(True), Delivery.chat_id == user_id
        )
        rows = await self.session.scalars(union(acked, reached))
        return sorted(rows.all())

    async def posts(self, broadcast_ids: Collection[int]) -> list[ListPost]:
        """Every list message of these broadcasts, list after list, parts in order."""
        if not broadcast_ids:
            return []
        rows = await self.session.scalars(
            select(AckListPost)
            .where(AckListPost.broadcast_id.in_(list(broadcast_ids)))
            .order_by(AckListPost.id)
        )
        found = [
            ListPost(r.broadcast_id, r.chat_id, r.head_id, r.part, r.message_id, r.ref)
            for r in rows.all()
        ]
        return sorted(found, key=lambda p: (p.broadcast_id, p.chat_id, p.head_id, p.part))
