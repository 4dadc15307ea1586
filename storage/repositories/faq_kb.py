"""Staff additions to the knowledge base: sample questions, whole entries, the version.

The YAML files stay the base; these rows are merged into it at load (`bot.services.faq.additions`).
Every change bumps `faq_version` in the same transaction, so an instance that reads a new
number knows the rows it has are stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FaqStaffEntry, FaqStaffSample, FaqVersion, utcnow
from storage.repositories.sql import affected

VERSION_ROW = 1


class FaqKbRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def version(self) -> int:
        """The current number: one primary-key read, cheap enough to ask every few seconds."""
        found = await self.session.scalar(
            select(FaqVersion.version).where(FaqVersion.id == VERSION_ROW)
        )
        return int(found or 0)

    async def bump(self) -> int:
        """Raise the version inside the caller's transaction; returns the new number.

        The UPDATE locks the row until commit, so two instances saving at once get two
        different numbers and the second waits for the first.
        """
        changed = await affected(
            self.session,
            update(FaqVersion)
            .where(FaqVersion.id == VERSION_ROW)
            .values(version=FaqVersion.version + 1, updated_at=utcnow()),
        )
        if not changed:  # a database where the row was lost
            self.session.add(FaqVersion(id=VERSION_ROW, version=1))
            await self.session.flush()
        return await self.version()

    async def samples(self) -> Sequence[FaqStaffSample]:
        rows = await self.session.scalars(select(FaqStaffSample).order_by(FaqStaffSample.id))
        return rows.all()

    async def last_sample_id(self) -> int:
        """The newest staff sample's id (0: none): what an editor opened in the panel has seen."""
        return int(await self.session.scalar(select(func.max(FaqStaffSample.id))) or 0)

    async def samples_since(self, entry_id: str, after_id: int) -> Sequence[FaqStaffSample]:
        """An entry's staff samples added after `after_id` (e.g. from a chat while the panel
        editor was open)."""
        rows = await self.session.scalars(
            select(FaqStaffSample)
            .where(FaqStaffSample.entry_id == entry_id, FaqStaffSample.id > after_id)
            .order_by(FaqStaffSample.id)
        )
        return rows.all()

    async def entries(self) -> Sequence[FaqStaffEntry]:
        rows = await self.session.scalars(select(FaqStaffEntry).order_by(FaqStaffEntry.id))
        return rows.all()

    async def add_sample(
        self, entry_id: str, question: str, created_by: int, asked_by: int | None = None
    ) -> FaqStaffSample:
        """`asked_by`: the person whose own question this is (None: staff's wording)."""
        row = FaqStaffSample(
            entry_id=entry_id, question=question, created_by=created_by, asked_by=asked_by
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def asked_by(self, user_id: int) -> set[str]:
        """The person's own questions staff keep as sample questions (/my_data)."""
        rows = await self.session.scalars(
            select(FaqStaffSample.question).where(FaqStaffSample.asked_by == user_id)
        )
        return set(rows.all())

    async def remove_asked_by(self, user_id: int) -> int:
        """Delete the samples that are the person's own questions (/forget_me); how many."""
        return await affected(
            self.session, delete(FaqStaffSample).where(FaqStaffSample.asked_by == user_id)
        )

    async def add_entry(
        self, category: str, title: str, answer: str, created_by: int
    ) -> FaqStaffEntry:
        """A new entry; its id is `<category>.staff<row id>`, unique across instances."""
        row = FaqStaffEntry(
            entry_id=f"new-{uuid4().hex}",  # replaced below, once the row has its id
            category=category,
            title=title,
            answer=answer,
            created_by=created_by,
        )
        self.session.add(row)
        await self.session.flush()
        row.entry_id = f"{category}.staff{row.id}"
        await self.session.flush()
        return row

    async def remove_sample(self, sample_id: int) -> FaqStaffSample | None:
        """Delete one staff sample (an undo); returns it, or None if it was already gone."""
        row = await self.session.get(FaqStaffSample, sample_id)
        if row is not None:
            await self.session.execute(delete(FaqStaffSample).where(FaqStaffSample.id == row.id))
        return row
