"""The rest of a МОЦ's yearly report, beside the events: parents' questions the bot answered
itself or handed to a specialist, time to a specialist's first answer, broadcasts and their
reach, subscribers in each messenger.

Bounds are UTC moments (the caller turns the МОЦ's local days into them): a question or a
ticket belongs to the period it was asked in, a broadcast to the one it started going out in.
Subscribers are counted as they are when the report is made (nobody keeps yesterday's list),
and those who joined within the period beside them. A participation document belongs to the
period it was given out in (an event of 28 December whose document was asked for on 10
January is the next year's document), one per person and event.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.core.ids import channel_of
from storage.models import Ack, Audience, Broadcast, Delivery, FaqQuery, Subscription, Ticket, User
from storage.models import TicketMessage as Said
from storage.repositories.documents import DocumentRepo
from storage.repositories.staff import not_staff

# questions the bot gave no answer of its own: not understood, off its topics, too long to look
# up (counted as not understood in /faq_stats too), a screenshot without a word of text
NOT_UNDERSTOOD = ("unknown", "offtopic", "too_long", "media")
Where = ColumnElement[bool]


def _between(
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    start: datetime,
    end: datetime,
) -> tuple[Where, Where]:
    return column >= start, column < end


def _started(start: datetime, end: datetime) -> tuple[Where, Where]:
    """A broadcast belongs to the period it started going out in (never started: to none)."""
    return _between(Broadcast.started_at, start, end)


@dataclass(frozen=True)
class SubscriberStats:
    channel: str  # "tg", "max"
    subscribers: int  # active private subscribers of any audience, now
    joined: int  # of them, subscribed within the period


@dataclass(frozen=True)
class ActivityStats:
    answered: int  # the bot answered from its knowledge base itself
    suggested: int  # the bot offered articles to choose from
    not_understood: int
    tickets: int  # questions handed to specialists, opened within the period
    tickets_answered: int  # of them, answered by a specialist
    median_first_answer: timedelta | None  # ticket opened → first specialist's message
    broadcasts: int  # started going out within the period
    sent: int  # messages delivered (private chats and groups)
    blocked: int
    failed: int
    acknowledged: int  # «Ознакомлен» pressed
    subscribers: tuple[SubscriberStats, ...]  # Telegram, then MAX
    documents: tuple[tuple[str, int], ...] = ()  # participation documents given out: Telegram, MAX

    @property
    def questions(self) -> int:
        return self.answered + self.suggested + self.not_understood

    @property
    def documents_issued(self) -> int:
        return sum(n for _, n in self.documents)


def _median(delays: list[timedelta]) -> timedelta | None:
    if not delays:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in delays))


class ActivityRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._people, self._askers = not_staff(FaqQuery.user_id), not_staff(Ticket.user_id)

    async def collect(
        self, start: datetime, end: datetime, owners: frozenset[int] = frozenset()
    ) -> ActivityStats:
        """Everything with start <= moment < end. Questions and tickets of staff (invited, or
        `owners`, storage.repositories.staff.not_staff) are their tests, not parents': left
        out, as staff are from the subscribers."""
        self._people, self._askers = (
            not_staff(FaqQuery.user_id, owners),
            not_staff(Ticket.user_id, owners),
        )
        outcomes = await self._outcomes(start, end)
        delays = await self._first_answers(start, end)
        totals = await self._deliveries(start, end)
        return ActivityStats(
            answered=outcomes["answer"],
            suggested=outcomes["suggest"],
            not_understood=sum(outcomes[o] for o in NOT_UNDERSTOOD),
            tickets=await self._count(
                Ticket, *_between(Ticket.created_at, start, end), self._askers
            ),
            tickets_answered=len(delays),
            median_first_answer=_median(delays),
            broadcasts=await self._count(Broadcast, *_started(start, end)),
            sent=totals["sent"],
            blocked=totals["blocked"],
            failed=totals["failed"],
            acknowledged=await self._acks(start, end),
            subscribers=await self._subscribers(start, end),
            documents=await self._documents(start, end),
        )

    async def _count(self, table: type[Ticket] | type[Broadcast], *where: Where) -> int:
        found = await self.session.scalar(select(func.count()).select_from(table).where(*where))
        return int(found or 0)

    async def _outcomes(self, start: datetime, end: datetime) -> Counter[str]:
        rows = await self.session.execute(
            select(FaqQuery.outcome, func.count())
            .where(*_between(FaqQuery.created_at, start, end), self._people)
            .group_by(FaqQuery.outcome)
        )
        return Counter({str(outcome): int(n) for outcome, n in rows.all()})

    async def _first_answers(self, start: datetime, end: datetime) -> list[timedelta]:
        first = func.min(Said.created_at)
        rows = await self.session.execute(
            select(Ticket.created_at, first)
            .join(Said, Said.ticket_id == Ticket.id)
            .where(
                *_between(Ticket.created_at, start, end), Said.from_staff.is_(True), self._askers
            )
            .group_by(Ticket.id, Ticket.created_at)
        )
        return [answered - opened for opened, answered in rows.all() if answered is not None]

    async def _deliveries(self, start: datetime, end: datetime) -> Counter[str]:
        rows = await self.session.execute(
            select(Delivery.status, func.count())
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(*_started(start, end))
            .group_by(Delivery.status)
        )
        return Counter({str(status): int(n) for status, n in rows.all()})

    async def _acks(self, start: datetime, end: datetime) -> int:
        found = await self.session.scalar(
            select(func.count())
            .select_from(Ack)
            .join(Broadcast, Broadcast.id == Ack.broadcast_id)
            .where(*_started(start, end))
        )
        return int(found or 0)

    async def _documents(self, start: datetime, end: datetime) -> tuple[tuple[str, int], ...]:
        issued = await DocumentRepo(self.session).issued(start, end)
        return tuple((channel, issued[channel]) for channel in ("tg", "max"))

    async def _subscribers(self, start: datetime, end: datetime) -> tuple[SubscriberStats, ...]:
        """A person subscribed to two audiences is one subscriber; joined = the first of their
        subscriptions falls within the period. The МОЦ's own staff are not its audience."""
        rows = await self.session.execute(
            select(Subscription.user_id, func.min(Subscription.created_at))
            .join(User, User.id == Subscription.user_id)
            .where(User.is_active.is_(True), Subscription.audience != Audience.STAFF)
            .group_by(Subscription.user_id)
        )
        people = [(int(uid), since) for uid, since in rows.all()]
        return tuple(
            SubscriberStats(
                channel,
                sum(1 for uid, _ in people if channel_of(uid) == channel),
                sum(1 for uid, s in people if channel_of(uid) == channel and start <= s < end),
            )
            for channel in ("tg", "max")
        )
