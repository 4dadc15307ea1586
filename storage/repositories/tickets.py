"""Tickets: questions for a human, their conversation and where staff saw them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from storage.models import StaffPost, Ticket, TicketMessage, TicketStatus, utcnow
from storage.repositories.sql import affected
from storage.repositories.staff import not_staff


class TicketRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, user_id: int, chat_id: int, question: str) -> Ticket:
        ticket = Ticket(user_id=user_id, chat_id=chat_id, question=question)
        ticket.messages.append(TicketMessage(author_id=user_id, text=question))
        self.session.add(ticket)
        await self.session.flush()
        return ticket

    async def get(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id, options=[selectinload(Ticket.messages)])

    async def open_for_user(self, user_id: int) -> Ticket | None:
        """The open ticket the asker touched last: «Задать уточняющий вопрос» under an older
        answer reopens that ticket, and what they write next belongs there, not to a newer
        ticket still open."""
        return await self.session.scalar(
            select(Ticket)
            .where(Ticket.user_id == user_id, Ticket.status == TicketStatus.OPEN)
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(1)
        )

    async def add_message(
        self, ticket: Ticket, author_id: int, text: str, *, from_staff: bool, delivered: bool
    ) -> TicketMessage:
        message = TicketMessage(
            ticket_id=ticket.id,
            author_id=author_id,
            text=text,
            from_staff=from_staff,
            delivered=delivered,
        )
        self.session.add(message)
        ticket.updated_at = utcnow()
        await self.session.flush()
        return message

    async def undelivered_answers(self, user_id: int) -> Sequence[TicketMessage]:
        """Staff answers the asker never got (they had blocked the bot), oldest first."""
        rows = await self.session.scalars(
            select(TicketMessage)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .where(
                Ticket.user_id == user_id,
                TicketMessage.from_staff.is_(True),
                TicketMessage.delivered.is_(False),
            )
            .options(selectinload(TicketMessage.ticket))
            .order_by(TicketMessage.id)
        )
        return rows.all()

    async def last_message(self, ticket_id: int) -> TicketMessage | None:
        """The newest message of the conversation (whether staff spoke last)."""
        return await self.session.scalar(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id.desc())
            .limit(1)
        )

    async def add_post(
        self,
        ticket_id: int,
        chat_id: int,
        message_id: int,
        ref: str = "",
        *,
        card: bool = False,
        note: bool = False,
    ) -> None:
        self.session.add(
            StaffPost(
                ticket_id=ticket_id, chat_id=chat_id, message_id=message_id, ref=ref, card=card,
                note=note,
            )
        )  # fmt: skip
        await self.session.flush()

    async def cards(self, ticket_id: int) -> list[tuple[int, int, str]]:
        """(chat id, message id, ref) of the ticket's cards (the posts its buttons are under
        beside its text, which closing rewrites)."""
        return await self._posts(ticket_id, StaffPost.card)

    async def notes(self, ticket_id: int) -> list[tuple[int, int, str]]:
        """(chat id, message id, ref) of the ticket's follow-up notes with its buttons."""
        return await self._posts(ticket_id, StaffPost.note)

    async def _posts(
        self, ticket_id: int, flag: InstrumentedAttribute[bool]
    ) -> list[tuple[int, int, str]]:
        rows = await self.session.execute(
            select(StaffPost.chat_id, StaffPost.message_id, StaffPost.ref)
            .where(StaffPost.ticket_id == ticket_id, flag.is_(True))
            .order_by(StaffPost.id)
        )
        return [(chat_id, message_id, ref) for chat_id, message_id, ref in rows.all()]

    async def posted_chats(self, ticket_id: int) -> set[int]:
        """The staff chats that already hold a post of this ticket."""
        rows = await self.session.scalars(
            select(StaffPost.chat_id).where(StaffPost.ticket_id == ticket_id)
        )
        return set(rows.all())

    async def mark_unseen(self, ticket_id: int) -> None:
        """The question did not reach staff yet: the relay will post the ticket."""
        await self.session.execute(
            update(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id, TicketMessage.from_staff.is_(False))
            .values(delivered=False)
        )

    async def unseen(self, limit: int = 200) -> Sequence[TicketMessage]:
        """Askers' messages staff have not seen yet, oldest first (new tickets come first)."""
        rows = await self.session.scalars(
            select(TicketMessage)
            .where(TicketMessage.from_staff.is_(False), TicketMessage.delivered.is_(False))
            .order_by(TicketMessage.id)
            .limit(limit)
        )
        return rows.all()

    async def first_message_ids(self, ticket_ids: set[int]) -> dict[int, int]:
        """Each ticket's first message (its question)."""
        if not ticket_ids:
            return {}
        rows = await self.session.execute(
            select(TicketMessage.ticket_id, func.min(TicketMessage.id))
            .where(TicketMessage.ticket_id.in_(ticket_ids))
            .group_by(TicketMessage.ticket_id)
        )
        return {ticket_id: first for ticket_id, first in rows.all()}

    async def claim_seen(self, message_ids: Sequence[int], seen: bool = True) -> bool:
        """Mark these messages seen (or unseen again); False if another relay took one."""
        changed = await affected(
            self.session,
            update(TicketMessage)
            .where(TicketMessage.id.in_(message_ids), TicketMessage.delivered.is_(not seen))
            .values(delivered=seen),
        )
        return changed == len(message_ids)

    async def by_post(self, chat_id: int, message_id: int) -> Ticket | None:
        return await self.session.scalar(
            select(Ticket)
            .join(StaffPost, StaffPost.ticket_id == Ticket.id)
            .where(StaffPost.chat_id == chat_id, StaffPost.message_id == message_id)
        )

    async def mark_answered(self, ticket: Ticket, staff_id: int, staff_name: str) -> None:
        ticket.status = TicketStatus.ANSWERED
        ticket.answered_at = ticket.updated_at = utcnow()
        ticket.answered_by, ticket.answered_by_name = staff_id, staff_name
        await self.session.flush()

    async def set_status(self, ticket_id: int, status: TicketStatus) -> bool:
        """Change the status; False when it already was that (a double tap)."""
        changed = await affected(
            self.session,
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status != status)
            .values(status=status, updated_at=utcnow()),
        )
        return changed > 0

    async def reopen(self, ticket_id: int) -> bool:
        """The asker is back on this ticket («Задать уточняющий вопрос», a reply to its answer):
        open, and touched now even when it was open already (what they write next belongs to
        the ticket they touched last); False when it was open (a double tap)."""
        now = utcnow()
        changed = await affected(
            self.session,
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status != TicketStatus.OPEN)
            .values(status=TicketStatus.OPEN, updated_at=now),
        )
        if not changed:
            await self.session.execute(
                update(Ticket).where(Ticket.id == ticket_id).values(updated_at=now)
            )
        return changed > 0

    async def list_open(self, limit: int = 20) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.status == TicketStatus.OPEN)
            .order_by(Ticket.id)
            .limit(limit)
        )
        return rows.all()

    async def list_by_status(
        self, status: TicketStatus, limit: int = 50, offset: int = 0
    ) -> Sequence[Ticket]:
        """The web panel's list: open ones oldest first (who waits longest), others newest."""
        order = Ticket.id if status == TicketStatus.OPEN else Ticket.id.desc()
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.status == status)
            .order_by(order)
            .offset(offset)
            .limit(limit)
        )
        return rows.all()

    async def count_by_status(self, owners: frozenset[int] | None = None) -> dict[str, int]:
        """Tickets by status; `owners` given: staff's own (their tests) left out."""
        query = select(Ticket.status, func.count()).group_by(Ticket.status)
        if owners is not None:
            query = query.where(not_staff(Ticket.user_id, owners))
        rows = await self.session.execute(query)
        return {str(status): int(count) for status, count in rows}

    async def count_for_user(self, user_id: int) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.user_id == user_id)
        )
        return int(count or 0)

    async def posts_for_user(self, user_id: int) -> list[tuple[int, int, int, str]]:
        """(ticket id, chat id, message id, ref) of every staff post about the user's tickets:
        /forget_me redacts them, so they are read before the tickets go."""
        rows = await self.session.execute(
            select(StaffPost.ticket_id, StaffPost.chat_id, StaffPost.message_id, StaffPost.ref)
            .join(Ticket, Ticket.id == StaffPost.ticket_id)
            .where(Ticket.user_id == user_id)
            .order_by(StaffPost.id)
        )
        return [(t, chat_id, message_id, ref) for t, chat_id, message_id, ref in rows.all()]
