"""Log of typed questions, so staff see what the knowledge base misses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FaqDraft, FaqQuery, User
from storage.repositories.staff import not_staff


def _within(
    since: datetime, until: datetime | None, owners: frozenset[int] | None = None
) -> list[ColumnElement[bool]]:
    """Asked at `since` or later, and before `until` when there is one; `owners` given: by no
    staff member (storage.repositories.staff.not_staff), as the yearly report counts."""
    bounds = [FaqQuery.created_at >= since]
    bounds += [] if owners is None else [not_staff(FaqQuery.user_id, owners)]
    return bounds if until is None else [*bounds, FaqQuery.created_at < until]


class FaqLogRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        user_id: int,
        text: str,
        outcome: str,
        entry_id: str | None,
        score: float,
        message_id: int | None = None,
    ) -> FaqQuery:
        """`message_id`: the screenshot the question came with, in the asker's private chat."""
        row = FaqQuery(
            user_id=user_id,
            text=text,
            outcome=outcome,
            entry_id=entry_id,
            score=score,
            message_id=message_id,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows written earlier (`QueryLog`), skipping users deleted meanwhile.

        /forget_me on another instance may have run between the question and this write; a
        deleted user's question must not come back, so only rows of existing users go in.
        """
        ids = {row["user_id"] for row in rows}
        known = set(await self.session.scalars(select(User.id).where(User.id.in_(ids))))
        kept = [row for row in rows if row["user_id"] in known]
        if kept:
            await self.session.execute(insert(FaqQuery), kept)
        return len(kept)

    async def get(self, query_id: int) -> FaqQuery | None:
        return await self.session.get(FaqQuery, query_id)

    async def outcomes_since(self, since: datetime) -> dict[str, int]:
        rows = await self.session.execute(
            select(FaqQuery.outcome, func.count())
            .where(FaqQuery.created_at >= since)
            .group_by(FaqQuery.outcome)
        )
        return {outcome: count for outcome, count in rows.all()}

    async def outcomes_after(
        self, since: datetime, until: datetime | None = None, owners: frozenset[int] | None = None
    ) -> list[tuple[datetime, str]]:
        """(time, outcome) of every question since then (and before `until`): the panel
        buckets them into local days (a SQL date() would cut days at UTC midnight)."""
        rows = await self.session.execute(
            select(FaqQuery.created_at, FaqQuery.outcome).where(*_within(since, until, owners))
        )
        return [(created, outcome) for created, outcome in rows.all()]

    async def top_entries_since(
        self,
        since: datetime,
        limit: int = 10,
        until: datetime | None = None,
        owners: frozenset[int] | None = None,
    ) -> list[tuple[str, int]]:
        count = func.count().label("n")
        rows = await self.session.execute(
            select(FaqQuery.entry_id, count)
            .where(*_within(since, until, owners), FaqQuery.entry_id.is_not(None))
            .group_by(FaqQuery.entry_id)
            .order_by(count.desc(), FaqQuery.entry_id)
            .limit(limit)
        )
        return [(str(entry), n) for entry, n in rows.all()]

    async def unanswered_since(
        self,
        since: datetime,
        limit: int = 20,
        until: datetime | None = None,
        owners: frozenset[int] | None = None,
    ) -> Sequence[FaqQuery]:
        """The newest asking of each distinct unanswered question, newest first: one question
        asked forty times must not push every other one off the staff's list."""
        newest = (
            select(func.max(FaqQuery.id))
            .where(*_within(since, until, owners), FaqQuery.outcome.in_(("unknown", "offtopic")))
            .group_by(FaqQuery.text)
        )
        rows = await self.session.scalars(
            select(FaqQuery)
            .where(FaqQuery.id.in_(newest))
            .order_by(FaqQuery.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def sent_around(self, user_id: int, at: datetime, seconds: float) -> Sequence[FaqQuery]:
        """The person's logged messages within `seconds` of `at`, oldest first: the other
        parts of a long message the messenger split."""
        span = timedelta(seconds=seconds)
        rows = await self.session.scalars(
            select(FaqQuery)
            .where(FaqQuery.user_id == user_id)
            .where(FaqQuery.created_at.between(at - span, at + span))
            .order_by(FaqQuery.created_at, FaqQuery.id)
        )
        return rows.all()

    async def answered_by(self, user_id: int, answer_id: int) -> FaqQuery | None:
        """The person's question the bot's message `answer_id` in their chat answered."""
        rows = await self.session.scalars(
            select(FaqQuery)
            .where(FaqQuery.user_id == user_id, FaqQuery.answer_id == answer_id)
            .order_by(FaqQuery.id.desc())
            .limit(1)
        )
        return rows.first()

    async def answered_near(self, user_id: int, at: datetime, seconds: float) -> FaqQuery | None:
        """The person's question answered from the knowledge base and logged closest to `at`,
        within `seconds` of it, that records no answer of its own: the one an answer sent at
        `at`, before answers were recorded, replied to."""
        near = await self.sent_around(user_id, at, seconds)
        answered = [row for row in near if row.outcome == "answer" and row.answer_id is None]
        return min(answered, key=lambda row: abs(row.created_at - at), default=None)

    async def drop_offer(self, user_id: int, message_id: int) -> None:
        """The uncaptioned picture's row of an album whose caption came on a later photo: the
        album is one question (its caption's row), not two in /my_data and the stats."""
        await self.session.execute(
            delete(FaqQuery).where(
                FaqQuery.user_id == user_id,
                FaqQuery.message_id == message_id,
                FaqQuery.outcome == "media",
            )
        )

    async def for_user(self, user_id: int) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(FaqQuery).where(FaqQuery.user_id == user_id)
        )
        return int(count or 0)

    async def add_draft(
        self, ticket_id: int | None, question: str, answer: str, created_by: int
    ) -> FaqDraft:
        draft = FaqDraft(
            ticket_id=ticket_id, question=question, answer=answer, created_by=created_by
        )
        self.session.add(draft)
        await self.session.flush()
        return draft

    async def draft_of_ticket(self, ticket_id: int) -> FaqDraft | None:
        """The newest /faq_drafts draft saved from the ticket (None: none)."""
        rows = await self.session.scalars(
            select(FaqDraft)
            .where(FaqDraft.ticket_id == ticket_id)
            .order_by(FaqDraft.id.desc())
            .limit(1)
        )
        return rows.first()

    async def drafts(self, limit: int = 50, offset: int = 0) -> Sequence[FaqDraft]:
        rows = await self.session.scalars(
            select(FaqDraft).order_by(FaqDraft.id.desc()).offset(offset).limit(limit)
        )
        return rows.all()
