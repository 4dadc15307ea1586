"""Long-polling positions by messenger (`update_markers`): read at start, saved per batch."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UpdateMarker


class MarkerRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, channel: str) -> int | None:
        row = await self.session.get(UpdateMarker, channel)
        return row.marker if row is not None else None

    async def set(self, channel: str, marker: int) -> None:
        row = await self.session.get(UpdateMarker, channel)
        if row is None:
            self.session.add(UpdateMarker(channel=channel, marker=marker))
        else:
            row.marker = marker
        await self.session.flush()
