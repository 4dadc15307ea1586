"""The outbox ledger (storage.models.outbox): add a reply, claim the oldest of each chat for
one loop, sent or dropped (delete), given back after an attempt, dropped when too old.
Never commits: the outbox service does.

A claim is one conditional UPDATE (`claimed_until` free or past → a lease), so of two loops
reading the same rows exactly one gets each; a row whose lease ran out (its loop died) is free
again. The lease's end is also the claim's token: a later claim of the same row always ends
later, so `release` gives a row back only while it is still this loop's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repositories.sql import affected


@dataclass(frozen=True)
class Expired:
    """A row dropped for its age: who it was for and since when (never its text)."""

    id: int
    channel: str
    chat_id: int
    created_at: datetime


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


class OutboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_for(self, chat_id: int) -> int:
        """Replies to a person still waiting to be sent (their «Мои данные»)."""
        found = await self.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
        )
        return int(found or 0)

    async def add(self, row: OutboxMessage) -> int:
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def claim(
        self, channels: list[str], now: datetime, until: datetime, limit: int = 50
    ) -> list[OutboxMessage]:
        """The oldest row of each chat that no other loop holds, claimed until `until`.

        A chat whose oldest row is held is skipped whole: its later replies wait their turn."""
        first = (
            select(func.min(OutboxMessage.id))
            .where(OutboxMessage.channel.in_(channels))
            .group_by(OutboxMessage.channel, OutboxMessage.chat_id)
        )
        heads = (
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_(first), _free(now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        taken = await self.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(heads), _free(now))
            .values(claimed_until=until)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        ids = list(taken.all())
        if not ids:
            return []
        rows = await self.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
        return list(rows.all())

    async def expire(self, channels: list[str], now: datetime, before: datetime) -> list[Expired]:
        """Delete the free rows stored before `before` (a row being sent is left to its loop)."""
        result = await self.session.execute(
            delete(OutboxMessage)
            .where(
                OutboxMessage.channel.in_(channels),
                OutboxMessage.created_at < before,
                _free(now),
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.channel,
                OutboxMessage.chat_id,
                OutboxMessage.created_at,
            )
            .execution_options(synchronize_session=False)
        )
        found = [Expired(*row) for row in result.all()]
        return sorted(found, key=lambda e: e.id)

    async def remove(self, row_id: int) -> None:
        await self.session.execute(delete(OutboxMessage).where(OutboxMessage.id == row_id))

    async def release(self, row_id: int, until: datetime, *, tried: bool = True) -> bool:
        """Give a claimed row back for the next pass (one more attempt if `tried`); False if
        the claim was no longer this loop's (its lease ran out and another loop took it)."""
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.claimed_until == until)
            .values(claimed_until=None)
        )
        if tried:
            statement = statement.values(attempts=OutboxMessage.attempts + 1)
        changed = await affected(self.session, statement)
        return changed == 1

    async def any_in(self, channels: list[str]) -> bool:
        """Whether a row waits in `channels`: a read, so an idle poll takes no write lock."""
        found = await self.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.channel.in_(channels)).limit(1)
        )
        return found is not None

    async def waiting(self) -> int:
        return int(await self.session.scalar(select(func.count(OutboxMessage.id))) or 0)
