"""Who an audience reaches, read from the registry: bound groups and private subscribers.

Only the reads; which id a migrated group is sent to is decided by the caller
(broadcasts.audience), which walks `migrated_to` over the rows `chain` returns.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatAudience, ChatTag, Subscription, User


class AudienceRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def groups(
        self, audiences: Sequence[str], tags: Sequence[str]
    ) -> list[tuple[int, int | None]]:
        """(id, migrated_to) of active chats bound to any audience (and any tag), by id."""
        bound = select(ChatAudience.chat_id).where(ChatAudience.audience.in_(audiences))
        query = select(Chat.id, Chat.migrated_to).where(
            Chat.is_active.is_(True), Chat.id.in_(bound)
        )
        if tags:
            tagged = select(ChatTag.chat_id).where(ChatTag.tag.in_(tags))
            query = query.where(Chat.id.in_(tagged))
        rows = await self.session.execute(query.order_by(Chat.id))
        return [(chat_id, migrated_to) for chat_id, migrated_to in rows]

    async def chain(self, ids: Collection[int]) -> list[tuple[int, bool, int | None]]:
        """(id, is_active, migrated_to) of these registry rows: one hop of a migration chain."""
        query = select(Chat.id, Chat.is_active, Chat.migrated_to).where(Chat.id.in_(list(ids)))
        rows = await self.session.execute(query)
        return [(chat_id, active, nxt) for chat_id, active, nxt in rows]

    async def group_state(
        self, chat_id: int, audiences: Sequence[str], tags: Sequence[str]
    ) -> tuple[bool, int | None, bool] | None:
        """(is_active, migrated_to, still bound to any audience and any tag) of one group, in
        one query; None when the registry has no row for it."""
        bound = select(ChatAudience.chat_id).where(
            ChatAudience.chat_id == chat_id, ChatAudience.audience.in_(audiences)
        )
        reached: ColumnElement[bool] = bound.exists()
        if tags:
            tagged = select(ChatTag.chat_id).where(
                ChatTag.chat_id == chat_id, ChatTag.tag.in_(tags)
            )
            reached = and_(reached, tagged.exists())
        query = select(Chat.is_active, Chat.migrated_to, reached).where(Chat.id == chat_id)
        row = (await self.session.execute(query)).first()
        return None if row is None else (bool(row[0]), row[1], bool(row[2]))

    async def subscribers(self, audiences: Sequence[str]) -> list[int]:
        """Private subscribers of any of these audiences who have not blocked the bot."""
        query = (
            select(Subscription.user_id)
            .join(User, User.id == Subscription.user_id)
            .where(Subscription.audience.in_(audiences), User.is_active.is_(True))
            .distinct()
            .order_by(Subscription.user_id)
        )
        return list((await self.session.scalars(query)).all())

    async def subscribed(self, user_id: int, audiences: Sequence[str]) -> bool:
        """Whether this person still follows any of these audiences (one indexed read)."""
        query = select(Subscription.user_id).where(
            Subscription.user_id == user_id, Subscription.audience.in_(audiences)
        )
        return bool(await self.session.scalar(query.exists().select()))

    async def subscriptions(self, audiences: Sequence[str]) -> list[tuple[int, str]]:
        """(user id, audience) of every subscription to these audiences, blocked users too."""
        rows = await self.session.execute(
            select(Subscription.user_id, Subscription.audience).where(
                Subscription.audience.in_(audiences)
            )
        )
        return [(user_id, audience) for user_id, audience in rows]
