"""The outbox ledger (storage.models.outbox): add a reply, the oldest of each chat, sent or
dropped (delete), one more attempt. Never commits: the outbox service does."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage


class OutboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: OutboxMessage) -> int:
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def heads(self, channels: list[str], limit: int = 50) -> list[OutboxMessage]:
        """The oldest waiting row of each chat: a chat's replies go out in order."""
        first = (
            select(func.min(OutboxMessage.id))
            .where(OutboxMessage.channel.in_(channels))
            .group_by(OutboxMessage.channel, OutboxMessage.chat_id)
        )
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(first))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def remove(self, row_id: int) -> None:
        await self.session.execute(delete(OutboxMessage).where(OutboxMessage.id == row_id))

    async def tried(self, row_id: int) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(attempts=OutboxMessage.attempts + 1)
        )

    async def waiting(self) -> int:
        return int(await self.session.scalar(select(func.count(OutboxMessage.id))) or 0)
