"""The chat registry: which groups and channels the bot is in, whom each one reaches
(audiences, tags), and which private users asked for news.

Broadcasts read this registry, so its invariants matter more than its convenience: a chat
receives nothing until an admin binds it to an audience, and one Telegram group never has two
active rows (a group upgraded to a supergroup keeps its old row inactive, pointing to the new
id). Collections are changed through the ORM so the session never holds stale lists.
Migration and deactivation live here once: the chats handlers (Telegram's service messages)
and the delivery engine (a refused send) both call `migrate` and `deactivate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Audience,
    Chat,
    ChatAudience,
    ChatTag,
    Role,
    Subscription,
    User,
    utcnow,
)
from storage.repositories.sql import affected

ROLE_AUDIENCE: Final[Mapping[str, str]] = {
    Role.PARENT: Audience.PARENTS,
    Role.TEACHER: Audience.TEACHERS,
    Role.DIRECTOR: Audience.DIRECTORS,
    Role.STAFF: Audience.STAFF,
}
AUDIENCES: Final = tuple(a.value for a in Audience)
_TAG: Final = re.compile(r"[\w.-]{1,64}")
_MAX_MIGRATION_HOPS: Final = 8  # a chain longer than this is corrupt data, not history


def clean_tag(raw: str) -> str | None:
    """`#School5` → `school5`; None for what cannot be a tag (spaces, symbols, too long)."""
    tag = raw.strip().lstrip("#").lower()
    return tag if _TAG.fullmatch(tag) else None


def _check_audience(audience: str) -> str:
    return Audience(audience).value  # ValueError for an unknown one: never stored


class ChatRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, chat_id: int) -> Chat | None:
        return await self.session.get(Chat, chat_id)

    async def current(self, chat_id: int) -> Chat | None:
        """The row now standing for this chat: follows group → supergroup migrations."""
        chat = await self.get(chat_id)
        for _ in range(_MAX_MIGRATION_HOPS):
            if chat is None or chat.migrated_to is None:
                return chat
            chat = await self.get(chat.migrated_to)
        return chat

    async def groups_titled(self, title: str) -> Sequence[Chat]:
        """Active basic groups of this title: what a supergroup of that title may have been."""
        found = await self.session.scalars(
            select(Chat).where(
                Chat.kind == "group", Chat.title == title[:256], Chat.is_active.is_(True),
                Chat.migrated_to.is_(None),
            )
        )  # fmt: skip
        return found.all()

    async def moved_into(self, chat_id: int) -> bool:
        """Whether a group became this supergroup (some row migrated here)."""
        found = await self.session.scalar(
            select(Chat.id).where(Chat.migrated_to == chat_id).limit(1)
        )
        return found is not None

    async def upsert(
        self, chat_id: int, kind: str, title: str, *, added_by: int | None = None
    ) -> tuple[Chat, bool]:
        """The bot is in this chat now: create or refresh the row. True when it is new."""
        chat = await self.get(chat_id)
        created = chat is None
        if chat is None:
            chat = Chat(id=chat_id, kind=kind, title=title[:256], added_by=added_by)
            chat.audiences, chat.tags = [], []  # loaded and empty: no lazy load later
            self.session.add(chat)
        else:
            chat.kind, chat.title = kind, title[:256] or chat.title
            if added_by is not None:
                chat.added_by, chat.added_at = added_by, utcnow()
            chat.is_active = chat.migrated_to is None
            chat.updated_at = utcnow()
        await self.session.flush()
        return chat, created

    async def rename(self, chat_id: int, title: str) -> bool:
        """True when the stored title changed (an empty title changes nothing)."""
        chat = await self.get(chat_id)
        if chat is None or not title or chat.title == title[:256]:
            return False
        chat.title, chat.updated_at = title[:256], utcnow()
        await self.session.flush()
        return True

    async def set_active(self, chat_id: int, active: bool) -> bool:
        """True when the flag changed; a migrated row is never made active again."""
        if not active:
            return await self.deactivate(chat_id)
        chat = await self.get(chat_id)
        if chat is None or chat.migrated_to is not None:
            return False
        changed = not chat.is_active
        chat.is_active, chat.updated_at = True, utcnow()
        await self.session.flush()
        return changed

    async def deactivate(self, chat_id: int) -> bool:
        """The bot is out of this chat (removed, or a send refused): nothing reaches it now.

        A row that migrated into this chat goes too: an older registry may have left one
        active, pointing here, and audiences would follow it back. True when a row changed.
        """
        gone = (
            update(Chat)
            .where(or_(Chat.id == chat_id, Chat.migrated_to == chat_id), Chat.is_active.is_(True))
            .values(is_active=False, updated_at=utcnow())
        )
        return await affected(self.session, gone) > 0

    async def migrate(self, old_id: int, new_id: int, title: str | None = None) -> Chat:
        """The group became a supergroup: the new id takes over audiences and tags.

        Idempotent: Telegram tells us twice (in the old group and in the new one), and the
        delivery engine may learn it a third time from a refused send. The reports can be
        handled at the same moment, so the old row is locked first (PostgreSQL; SQLite has one
        writer anyway): the second one waits, then finds the move already done.
        """
        old = (
            await self.session.get(Chat, old_id, with_for_update=True, populate_existing=True)
            if old_id != new_id
            else None
        )
        new = await self.get(new_id)
        # A repeated report must not revive a supergroup the bot has since been removed from.
        news = new is None or (old is not None and old.migrated_to is None)
        if new is None:
            name = title or (old.title if old is not None else "")
            new = Chat(id=new_id, kind="supergroup", title=name[:256], audiences=[], tags=[])
            new.added_by = old.added_by if old is not None else None
            self.session.add(new)
        new.kind, new.updated_at = "supergroup", utcnow()
        new.is_active = new.is_active or news
        if old is not None:
            have, have_tags = set(audiences_of(new)), set(tags_of(new))
            new.audiences.extend(
                ChatAudience(audience=a) for a in audiences_of(old) if a not in have
            )
            new.tags.extend(ChatTag(tag=t) for t in tags_of(old) if t not in have_tags)
            old.audiences.clear()
            old.tags.clear()
            old.is_active, old.migrated_to, old.updated_at = False, new_id, utcnow()
        await self.session.flush()
        return new

    async def bind(self, chat_id: int, audience: str) -> bool:
        """True when the chat was not in the audience yet."""
        chat = await self._existing(chat_id)
        audience = _check_audience(audience)
        if audience in audiences_of(chat):
            return False
        chat.audiences.append(ChatAudience(audience=audience))
        await self.session.flush()
        return True

    async def unbind(self, chat_id: int, audience: str | None = None) -> list[str]:
        """Remove one audience (or all with None); returns what was removed."""
        chat = await self._existing(chat_id)
        gone = [a for a in chat.audiences if audience is None or a.audience == audience]
        for item in gone:
            chat.audiences.remove(item)
        await self.session.flush()
        return sorted(a.audience for a in gone)

    async def set_audiences(self, chat_id: int, audiences: Iterable[str]) -> bool:
        """Make the chat's audiences exactly these; True when something changed."""
        chat = await self._existing(chat_id)
        wanted = {_check_audience(a) for a in audiences}
        before = set(audiences_of(chat))
        for item in [a for a in chat.audiences if a.audience not in wanted]:
            chat.audiences.remove(item)
        chat.audiences.extend(ChatAudience(audience=a) for a in sorted(wanted - before))
        await self.session.flush()
        return wanted != before

    async def add_tags(self, chat_id: int, tags: Iterable[str]) -> list[str]:
        chat = await self._existing(chat_id)
        new = sorted(set(tags) - set(tags_of(chat)))
        chat.tags.extend(ChatTag(tag=tag) for tag in new)
        await self.session.flush()
        return new

    async def remove_tags(self, chat_id: int, tags: Iterable[str]) -> list[str]:
        chat = await self._existing(chat_id)
        wanted = set(tags)
        gone = [t for t in chat.tags if t.tag in wanted]
        for item in gone:
            chat.tags.remove(item)
        await self.session.flush()
        return sorted(t.tag for t in gone)

    async def titles(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """id → (title, kind) of the registered chats among these ids."""
        query = select(Chat.id, Chat.title, Chat.kind).where(Chat.id.in_(list(ids)))
        rows = await self.session.execute(query)
        return {chat_id: (title, kind) for chat_id, title, kind in rows}

    async def all(self) -> Sequence[Chat]:
        """Every known chat: active ones first, then by title."""
        rows = await self.session.scalars(
            select(Chat).order_by(Chat.is_active.desc(), Chat.title, Chat.id)
        )
        return rows.all()

    async def counts(self) -> dict[str, int]:
        """Active chats per audience."""
        rows = await self.session.execute(
            select(ChatAudience.audience, func.count())
            .join(Chat, Chat.id == ChatAudience.chat_id)
            .where(Chat.is_active.is_(True))
            .group_by(ChatAudience.audience)
        )
        return {audience: count for audience, count in rows.all()}

    async def subscriber_counts(self) -> dict[str, int]:
        """Private subscribers per audience, counting only people who have not blocked us."""
        rows = await self.session.execute(
            select(Subscription.audience, func.count())
            .join(User, User.id == Subscription.user_id)
            .where(User.is_active.is_(True))
            .group_by(Subscription.audience)
        )
        return {audience: count for audience, count in rows.all()}

    async def subscribe(self, user_id: int, audience: str) -> bool:
        """True when the subscription is new; the user row must exist."""
        audience = _check_audience(audience)
        if await self.session.get(Subscription, (user_id, audience)) is not None:
            return False
        self.session.add(Subscription(user_id=user_id, audience=audience))
        await self.session.flush()
        return True

    async def unsubscribe(self, user_id: int, audience: str | None = None) -> list[str]:
        """Remove one subscription (or all with None); returns what was removed."""
        query = select(Subscription).where(Subscription.user_id == user_id)
        if audience is not None:
            query = query.where(Subscription.audience == audience)
        gone = (await self.session.scalars(query)).all()
        for item in gone:
            await self.session.delete(item)
        await self.session.flush()
        return sorted(s.audience for s in gone)

    async def subscriptions(self, user_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Subscription.audience).where(Subscription.user_id == user_id)
        )
        return sorted(rows.all())

    async def added_by_count(self, user_id: int) -> int:
        """Groups whose row names this person as the one who added the bot (/my_data)."""
        count = await self.session.scalar(
            select(func.count()).select_from(Chat).where(Chat.added_by == user_id)
        )
        return int(count or 0)

    async def _existing(self, chat_id: int) -> Chat:
        chat = await self.get(chat_id)
        if chat is None:
            raise LookupError(f"chat {chat_id} is not registered")
        return chat


def audiences_of(chat: Chat) -> list[str]:
    return sorted(a.audience for a in chat.audiences)


def tags_of(chat: Chat) -> list[str]:
    return sorted(t.tag for t in chat.tags)
