"""What a send teaches us about the chats registry: a chat is gone, or it moved.

A 403 deactivates the group (or, for a private recipient, the user) so no later broadcast
counts it. A migration renames the group's row to the supergroup's id — audiences and tags
follow by ON UPDATE CASCADE — unless the supergroup is already registered, in which case the
old row only points at it through `migrated_to` and recipients() follows the pointer.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from broadcasts.sql import rowcount
from storage.models import Chat, User, utcnow


async def deactivate(session: AsyncSession, chat_id: int, *, is_private: bool) -> None:
    if is_private:
        await session.execute(update(User).where(User.id == chat_id).values(is_active=False))
        return
    await session.execute(
        update(Chat)
        .where(or_(Chat.id == chat_id, Chat.migrated_to == chat_id))
        .values(is_active=False, updated_at=utcnow())
    )


async def record_migration(session: AsyncSession, old_id: int, new_id: int) -> None:
    """Point the registry at the supergroup; safe to repeat.

    The rename is one conditional UPDATE; a chats handler inserting the supergroup in the same
    instant (PostgreSQL) makes it fail with IntegrityError, and the delivery is then resent
    to the new id on the next attempt, where the supergroup row already exists.
    """
    other = aliased(Chat)  # not correlated with the row being updated
    taken = select(other.id).where(other.id == new_id).exists()
    renamed = await session.execute(
        update(Chat)
        .where(Chat.id == old_id, ~taken)
        .values(id=new_id, kind="supergroup", migrated_to=None, updated_at=utcnow())
    )
    if rowcount(renamed):
        return
    await session.execute(
        update(Chat).where(Chat.id == old_id).values(migrated_to=new_id, updated_at=utcnow())
    )
