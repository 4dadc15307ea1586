"""Participation documents given out (the DOCX for the аттестация): recorded when the bot hands
one over, counted by the yearly report. One row per person and event: asking again, or from
the account the person moved to with /move, is the same document."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ParticipationDocument as Doc
from storage.repositories.sql import insert_once


class DocumentRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, event_id: int, user_id: int, channel: str, now: datetime) -> bool:
        """True when this is the first document of this person for this event."""
        return await insert_once(
            self.session, Doc, event_id=event_id, user_id=user_id, channel=channel, issued_at=now
        )

    async def first_issued(self, event_id: int, user_id: int) -> datetime | None:
        """When this person was first given the document of this event (None: never)."""
        return await self.session.scalar(
            select(Doc.issued_at).where(Doc.event_id == event_id, Doc.user_id == user_id)
        )

    async def count_for(self, user_id: int) -> int:
        """Documents this person was given («Мои данные»)."""
        found = await self.session.scalar(
            select(func.count()).select_from(Doc).where(Doc.user_id == user_id)
        )
        return int(found or 0)

    async def move(self, source: int, target: int) -> None:
        """/move: the documents follow the person; one the new account already has for the
        same event is kept and the old one dropped, so a person is one document per event."""
        theirs = aliased(Doc)
        both = exists().where(theirs.user_id == target, theirs.event_id == Doc.event_id)
        await self.session.execute(delete(Doc).where(and_(Doc.user_id == source, both)))
        await self.session.execute(update(Doc).where(Doc.user_id == source).values(user_id=target))

    async def issued(self, start: datetime, end: datetime) -> Counter[str]:
        """Documents given out with start <= moment < end, by messenger ("tg", "max")."""
        rows = await self.session.execute(
            select(Doc.channel, func.count())
            .where(Doc.issued_at >= start, Doc.issued_at < end)
            .group_by(Doc.channel)
        )
        return Counter({str(channel): int(n) for channel, n in rows.all()})

    async def by_event(self) -> dict[int, int]:
        """Event id → documents given out for it, whenever."""
        rows = await self.session.execute(
            select(Doc.event_id, func.count()).group_by(Doc.event_id)
        )
        return {int(event_id): int(n) for event_id, n in rows.all()}
