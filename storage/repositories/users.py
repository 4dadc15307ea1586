"""Users: remembered on first contact, role chosen at /start, deletable on request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression
from sqlalchemy.orm.attributes import set_committed_value

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
    StaffMember,
    Subscription,
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


def named(user: User) -> bool:
    """The row holds a display name (someone whose name staff need, see `UserRepo.touch`)."""
    return bool(user.first_name or user.last_name or user.username)


def _show(user: User, first: str, last: str | None, username: str | None) -> None:
    """The names on the loaded object only: nothing is written when the session flushes."""
    set_committed_value(user, "first_name", first)
    set_committed_value(user, "last_name", last)
    set_committed_value(user, "username", username)


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
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        *,
        keep_name: bool = False,
    ) -> tuple[User, bool]:
        """Return the user, creating or refreshing the row; True when something was written.

        152-ФЗ, data minimisation: the messenger sends a display name and a username with every
        message, before any consent. They are written to the row only for people whose name
        МОЦ staff need — staff themselves (`keep_name`: their names sign answers, the staff
        list, the audit log), people who opened a ticket (`keep_name` below: the specialist
        answering sees who asked) and people who subscribed to МОЦ news in private (their
        own request to be on a mailing list; «Кто ознакомился» names who has not yet
        confirmed a broadcast). For everyone else the names live on the loaded object for
        this one update (a greeting «Здравствуйте, Мария») and are never stored. A row that
        holds a name keeps it current.

        One SELECT also tells whether the user waits on an open ticket (`has_open_ticket`):
        this runs for every update, and most are questions that only need that one fact.
        """
        first_name, username = first_name[:FIRST_LIMIT], username and username[:USERNAME_LIMIT]
        last_name = last_name and last_name[:LAST_LIMIT]
        user = await self.session.scalar(_VISITOR, {"user_id": user_id})
        if user is None:
            user = User(id=user_id, first_name="", last_name=None, username=None)
            if keep_name:
                user.first_name, user.last_name, user.username = first_name, last_name, username
            self.session.add(user)
            await self.session.flush()
            self._created.add(user_id)
            _show(user, first_name, last_name, username)
            return user, True
        if not (keep_name or named(user)):
            changed = not user.is_active
            if changed:
                user.is_active = True
                user.last_seen_at = utcnow()
            _show(user, first_name, last_name, username)
            return user, changed
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

    async def keep_name(self, user: User) -> None:
        """Store the display name `touch` put on `user` for this update: from now on staff
        need it (the person asked a specialist, or became staff)."""
        await self.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(first_name=user.first_name, last_name=user.last_name, username=user.username)
        )

    async def keep_name_of(self, user_id: int) -> None:
        """`keep_name` for the person this unit of work loaded (`touch`), by id."""
        user = await self.session.get(User, user_id)  # the loaded one, with this update's names
        if user is not None:
            await self.keep_name(user)

    async def drop_unneeded_name(self, user_id: int) -> None:
        """Forget the stored display name once nothing needs it (152-ФЗ: kept only for its
        purpose): no ticket of theirs (the specialist's card), no news subscription (a
        mailing list names its subscribers), not staff (`touch` keeps a staffer's anew)."""
        await self.session.execute(
            update(User)
            .where(
                User.id == user_id,
                ~exists().where(Ticket.user_id == user_id),
                ~exists().where(Subscription.user_id == user_id),
                ~exists().where(StaffMember.person_id == user_id),
            )
            .values(first_name="", last_name=None, username=None)
            .execution_options(synchronize_session="fetch")
        )

    async def stored_name(self, user_id: int) -> tuple[str, str | None, str | None]:
        """The display name as the database holds it (for «Мои данные»), not as this update
        shows it."""
        row = (
            await self.session.execute(
                select(User.first_name, User.last_name, User.username).where(User.id == user_id)
            )
        ).first()
        return (row[0] or "", row[1], row[2]) if row is not None else ("", None, None)

    async def many(self, user_ids: Iterable[int]) -> Sequence[User]:
        rows = await self.session.scalars(select(User).where(User.id.in_(list(user_ids))))
        return rows.all()

    async def set_role(self, user_id: int, role: str) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(role=role))

    async def role_of(self, user_id: int) -> str | None:
        """The stored role, read anew (an UPDATE of this unit of work leaves the loaded row
        as it was)."""
        return await self.session.scalar(select(User.role).where(User.id == user_id))

    async def clear_role(self, user_id: int) -> None:
        """No role chosen: /start asks again (an account that gave its staff access away)."""
        await self.session.execute(update(User).where(User.id == user_id).values(role=None))

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
        # profile, subscriptions and tickets go with the user row (cascade); registrations
        # were made anonymous before (EventRepo.anonymise): they are the report's numbers
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
