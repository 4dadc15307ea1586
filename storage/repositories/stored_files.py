"""Files attached to broadcasts (storage.models.files): add, read, mark used, prune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoredFile


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
        """Files of previews nobody sent: a broadcast never refers to them."""
        await self.session.execute(
            delete(StoredFile).where(StoredFile.used.is_(False), StoredFile.created_at < before)
        )
