"""A dialog's step for a messenger adapter without aiogram's FSM (MAX): one row in the same
`fsm_records` table Telegram's dialogs use, under a key of the adapter's own, so a restart in
the middle of a dialog loses nothing and every instance sees the same step."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FsmRecord


class DialogStateRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> str:
        """The step ("" when none)."""
        row = await self.session.get(FsmRecord, key)
        return row.state or "" if row is not None else ""

    async def set(self, key: str, state: str) -> None:
        row = await self.session.get(FsmRecord, key)
        if row is None:
            self.session.add(FsmRecord(key=key, state=state, data="{}"))
        else:
            row.state = state
        await self.session.flush()

    async def clear(self, key: str) -> None:
        await self.session.execute(delete(FsmRecord).where(FsmRecord.key == key))

    async def keep(self, key: str, data: str) -> None:
        """A value an adapter holds for a person between updates (MAX: a picture waiting for
        «Отправить специалисту»), in the row's data."""
        row = await self.session.get(FsmRecord, key)
        if row is None:
            self.session.add(FsmRecord(key=key, state=None, data=data))
        else:
            row.data = data
        await self.session.flush()

    async def kept(self, key: str) -> str:
        row = await self.session.get(FsmRecord, key)
        return row.data if row is not None else ""
