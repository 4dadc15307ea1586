"""The web panel's sign-in state: one-time links already used, browser sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WebSession, WebUsedLink
from storage.repositories.sql import insert_once


class WebRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def use_link(self, nonce: str, staff_id: int, now: datetime, expires: datetime) -> bool:
        """Mark a link used; False when it was used before (a race included: the primary key
        decides, not a read before the write)."""
        return await insert_once(
            self.session, WebUsedLink,
            nonce=nonce, staff_id=staff_id, used_at=now, expires_at=expires,
        )  # fmt: skip

    async def add_session(
        self, key: str, staff_id: int, name: str, csrf: str, now: datetime, expires: datetime
    ) -> None:
        self.session.add(
            WebSession(
                key=key,
                staff_id=staff_id,
                staff_name=name,
                csrf=csrf,
                created_at=now,
                expires_at=expires,
            )
        )
        await self.session.flush()

    async def session_by_key(self, key: str) -> WebSession | None:
        return await self.session.scalar(select(WebSession).where(WebSession.key == key))

    async def drop_session(self, key: str) -> None:
        await self.session.execute(delete(WebSession).where(WebSession.key == key))

    async def signed_in(self, now: datetime) -> set[int]:
        """Staff ids with an unexpired panel session."""
        rows = await self.session.scalars(
            select(WebSession.staff_id).where(WebSession.expires_at > now).distinct()
        )
        return set(rows)

    async def drop_expired(self, now: datetime) -> None:
        """Expired sessions and links past their validity (a used nonce matters only until
        the link would have expired anyway)."""
        await self.session.execute(delete(WebSession).where(WebSession.expires_at < now))
        await self.session.execute(delete(WebUsedLink).where(WebUsedLink.expires_at < now))

    async def drop_sessions_of(self, staff_id: int) -> None:
        """Sign a person out everywhere (they stopped being staff)."""
        await self.session.execute(delete(WebSession).where(WebSession.staff_id == staff_id))
