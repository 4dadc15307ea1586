"""Files attached to broadcasts (storage.models.files): add, read, mark used, prune (not
the ones a dialog's draft still holds)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FsmRecord, StoredFile

DRAFT_FILE = "stored_file"  # a draft's stored file, in a dialog row's JSON


@dataclass(frozen=True)
class FileInfo:
    """A stored file without its bytes: what a page or a form needs."""

    id: int
    kind: str
    name: str
    mime: str
    size: int
    uploaded_by: int | None


class StoredFileRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, kind: str, name: str, mime: str, data: bytes, uploaded_by: int | None,
        now: datetime,
    ) -> int:  # fmt: skip
        row = StoredFile(
            kind=kind, name=name, mime=mime, size=len(data), data=data,
            uploaded_by=uploaded_by, created_at=now, used=False,
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def info(self, file_id: int) -> FileInfo | None:
        columns = (StoredFile.id, StoredFile.kind, StoredFile.name, StoredFile.mime,
                   StoredFile.size, StoredFile.uploaded_by)  # fmt: skip
        row = (
            await self.session.execute(select(*columns).where(StoredFile.id == file_id))
        ).one_or_none()
        return FileInfo(*row) if row is not None else None

    async def data(self, file_id: int) -> tuple[FileInfo, bytes] | None:
        row = await self.session.get(StoredFile, file_id)
        if row is None:
            return None
        info = FileInfo(row.id, row.kind, row.name, row.mime, row.size, row.uploaded_by)
        return info, row.data

    async def mark_used(self, file_id: int) -> None:
        await self.session.execute(
            update(StoredFile).where(StoredFile.id == file_id).values(used=True)
        )

    async def prune_unused(self, before: datetime) -> None:
        """Files of previews nobody sent: a broadcast never refers to them. A file a dialog's
        draft still holds stays however long it waits (a MAX staffer's broadcast left at the
        preview overnight is sent with its file, not without it)."""
        held = await self.held_by_drafts()
        await self.session.execute(
            delete(StoredFile).where(
                StoredFile.used.is_(False),
                StoredFile.created_at < before,
                StoredFile.id.not_in(sorted(held)),
            )
        )

    async def held_by_drafts(self) -> set[int]:
        """The files dialogs' drafts refer to: `"stored_file": N` in a dialog row's JSON
        (bot.services.staff.composing's draft, as handlers.max.broadcast_compose keeps it)."""
        rows = await self.session.scalars(
            select(FsmRecord.data).where(FsmRecord.data.contains(f'"{DRAFT_FILE}"'))
        )
        held: set[int] = set()
        for raw in rows:
            try:
                data = json.loads(raw or "{}")
            except ValueError:
                continue
            if not isinstance(data, dict):
                continue
            album = data.get("more")  # an album's later files (composing.album_more)
            parts = [data, *(album if isinstance(album, list) else ())]
            for part in parts:
                found = part.get(DRAFT_FILE) if isinstance(part, dict) else None
                if isinstance(found, int) and not isinstance(found, bool):
                    held.add(found)
        return held
