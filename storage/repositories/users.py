"""Users: remembered on first contact, role chosen at /start, deletable on request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression

from storage.models import (
    FORGOTTEN_OWNER,
    Ack,
    Chat,
    Consent,
    Delivery,
    FaqDraft,
    FaqQuery,
    OutboxMessage,
    ParticipationDocument,
    Ticket,
    TicketStatus,
    TransferCode,
    TransferMiss,
    User,
    utcnow,
)

_OPEN_TICKET = exists().where(Ticket.user_id == User.id, Ticket.status == TicketStatus.OPEN)
_VISITOR = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(with_expression(User.has_open_ticket, _OPEN_TICKET))
)
# the columns' lengths; the last name one shorter, so the full name with its space fits the
# 256 of the columns that copy it (a ticket's answerer, a panel session). MAX promises no
# limit on a name and PostgreSQL refuses a longer value: the person's every update failed.
FIRST_LIMIT, LAST_LIMIT, USERNAME_LIMIT = 128, 127, 64


class UserRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._created: set[int] = set()  # rows `touch` created in this unit of work

    def first_contact(self, user_id: int) -> bool:
        """True when this update's `touch` created the person's row: nothing was stored
        about them before it (a button pressed after /forget_me, say)."""
        return user_id in self._created

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def touch(
        self, user_id: int, first_name: str, last_name: str | None, username: str | None
    ) -> tuple[User, bool]:
        """Return the user, creating or refreshing the profile; True when something changed.

        One SELECT also tells whether the user waits on an open ticket (`has_open_ticket`):
        this runs for every update, and most are questions that only need that one fact.
        """
        first_name, username = first_name[:FIRST_LIMIT], username and username[:USERNAME_LIMIT]
        last_name = last_name and last_name[:LAST_LIMIT]
        user = await self.session.scalar(_VISITOR, {"user_id": user_id})
        if user is None:
            user = User(id=user_id, first_name=first_name, last_name=last_name, username=username)
            self.session.add(user)
            await self.session.flush()
            self._created.add(user_id)
            return user, True
        changed = (user.first_name, user.last_name, user.username) != (
            first_name,
            last_name,
            username,
        )
        if changed or not user.is_active:
            user.first_name, user.last_name, user.username = first_name, last_name, username
            user.is_active = True
            user.last_seen_at = utcnow()
            return user, True
        return user, False

    async def many(self, user_ids: Iterable[int]) -> Sequence[User]:
        rows = await self.session.scalars(select(User).where(User.id.in_(list(user_ids))))
        return rows.all()

    async def set_role(self, user_id: int, role: str) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(role=role))

    async def set_active(self, user_id: int, active: bool) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(is_active=active))

    async def count_by_role(self) -> dict[str | None, int]:
        rows = await self.session.execute(select(User.role, func.count()).group_by(User.role))
        return {role: count for role, count in rows.all()}

    async def forget(self, user_id: int) -> None:
        """Delete the user and everything tied to them (tickets cascade, the rest by id).

        Only the consent records stay, as the proof of lawful processing 152-ФЗ asks for: who
        (the id), which text version, when given and withdrawn; no name or contact.
        """
        their_tickets = select(Ticket.id).where(Ticket.user_id == user_id)
        await self.session.execute(delete(FaqDraft).where(FaqDraft.ticket_id.in_(their_tickets)))
        await self.session.execute(delete(FaqQuery).where(FaqQuery.user_id == user_id))
        await self.session.execute(delete(Ack).where(Ack.user_id == user_id))  # holds the name
        await self.session.execute(
            delete(Delivery).where(Delivery.is_private.is_(True), Delivery.chat_id == user_id)
        )
        # replies still waiting in the outbox carry what they asked
        await self.session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == user_id))
        await self.session.execute(
            update(Chat).where(Chat.added_by == user_id).values(added_by=None)
        )
        await self.session.execute(
            update(Consent)
            .where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None))
            .values(withdrawn_at=utcnow())
        )
        await self.session.execute(delete(TransferMiss).where(TransferMiss.user_id == user_id))
        # a participation document given out stays counted in the yearly report, naming nobody
        await self.session.execute(
            update(ParticipationDocument)
            .where(ParticipationDocument.user_id == user_id)
            .values(user_id=None)
        )
        # a /move code given before: refused as a deleted account's, naming nobody
        await self.session.execute(
            update(TransferCode)
            .where(TransferCode.user_id == user_id)
            .values(user_id=FORGOTTEN_OWNER)
        )
        # profile, registrations, subscriptions and tickets go with the user row (cascade)
        await self.session.execute(delete(User).where(User.id == user_id))

    async def acks_count(self, user_id: int) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(Ack).where(Ack.user_id == user_id)
        )
        return int(count or 0)

    async def scrub_log(self) -> None:
        """After a committed deletion on SQLite: move the write-ahead log into the database
        and truncate it, so deleted rows are not left readable in bot.db-wal (secure_delete,
        set on every connection, has zeroed them in the database file itself)."""
        if self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
