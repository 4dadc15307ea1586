"""Entry versions saved from the web panel (`faq_entry_versions`): the newest row of each
entry id is served, older rows are its history. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FaqEntryVersion, FaqStaffSample


class FaqHistoryRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self) -> Sequence[FaqEntryVersion]:
        """The newest row of every entry id, oldest entry first (what a load applies)."""
        newest = select(func.max(FaqEntryVersion.id)).group_by(FaqEntryVersion.entry_id)
        rows = await self.session.scalars(
            select(FaqEntryVersion)
            .where(FaqEntryVersion.id.in_(newest.scalar_subquery()))
            .order_by(FaqEntryVersion.id)
        )
        return rows.all()

    async def of_entry(self, entry_id: str, limit: int = 100) -> Sequence[FaqEntryVersion]:
        rows = await self.session.scalars(
            select(FaqEntryVersion)
            .where(FaqEntryVersion.entry_id == entry_id)
            .order_by(FaqEntryVersion.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def recent(self, limit: int = 50) -> Sequence[FaqEntryVersion]:
        rows = await self.session.scalars(
            select(FaqEntryVersion).order_by(FaqEntryVersion.id.desc()).limit(limit)
        )
        return rows.all()

    async def get(self, row_id: int) -> FaqEntryVersion | None:
        return await self.session.get(FaqEntryVersion, row_id)

    async def add(self, **values: Any) -> FaqEntryVersion:
        row = FaqEntryVersion(**values)
        self.session.add(row)
        await self.session.flush()
        return row

    async def new_entry_id(self, row: FaqEntryVersion, category: str) -> str:
        """A panel-made entry is `<category>.web<first row id>`: unique across instances."""
        row.entry_id = f"{category}.web{row.id}"
        await self.session.flush()
        return row.entry_id

    async def _with_askers(self) -> Sequence[FaqEntryVersion]:
        rows = await self.session.scalars(
            select(FaqEntryVersion).where(FaqEntryVersion.asked.is_not(None))
        )
        return rows.all()

    async def asked_by(self, user_id: int) -> set[str]:
        """The person's own questions in any version (/my_data)."""
        rows = await self._with_askers()
        return {str(q) for row in rows for q, uid in row.asked or [] if uid == user_id}

    async def forget_asker(self, user_id: int) -> int:
        """/forget_me: the person's own questions leave every version that holds them, and
        the history's note naming them; how many rows changed (history is edited here, by
        law, not grown)."""
        changed = 0
        for row in await self._with_askers():
            words = {str(q) for q, uid in row.asked or [] if uid == user_id}
            if not words:
                continue
            row.questions = [q for q in row.questions if q not in words]
            row.asked = [pair for pair in row.asked or [] if pair[1] != user_id] or None
            for word in words:
                row.summary = row.summary.replace(f"«{word[:80]}»", "«удалён по просьбе автора»")
            changed += 1
        await self.session.flush()
        return changed

    async def drop_samples(self, entry_id: str, upto: int) -> None:
        """Chat-added questions of an entry the panel saved whole: they are in its version.
        Only those up to row `upto`, the newest the save read: one a colleague attached in
        the bot while the save was being checked is not in the version, and stays."""
        await self.session.execute(
            delete(FaqStaffSample).where(
                FaqStaffSample.entry_id == entry_id, FaqStaffSample.id <= upto
            )
        )
