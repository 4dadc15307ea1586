"""FSM storage in the bot's own database.

Without Redis, aiogram keeps dialog state in memory and a restart drops every half-finished
dialog. Keeping it in the same database costs one indexed read per update and needs no extra
server, so a single-machine МОЦ gets restart-safe dialogs for free.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SessionMaker
from storage.models import FsmRecord, utcnow


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"upsert for {dialect}")


class SqlStorage(BaseStorage):
    """`cache=True` keeps a write-through copy in memory: right only while this process is the
    sole writer, which is what a SQLite deployment is (several instances use Redis).

    Give it a sessionmaker on its OWN engine (`create_fsm_storage` does): a handler calls
    `state.set_state` while its update's session holds a connection, and if both came from one
    pool, 20 such updates at once would each hold one connection and wait for a second one
    forever. A separate pool whose connections are held for one statement cannot deadlock."""

    def __init__(
        self, sessionmaker: SessionMaker, *, cache: bool = False, engine: AsyncEngine | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._engine = engine  # disposed on close: it was made for this storage
        self._keys = DefaultKeyBuilder(with_destiny=True, with_bot_id=True)
        self._cache: dict[str, FsmRecord | None] | None = {} if cache else None

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def _load(self, key: StorageKey) -> FsmRecord | None:
        name = self._key(key)
        if self._cache is not None and name in self._cache:
            return self._cache[name]
        async with self._sessionmaker() as session:
            record = await session.get(FsmRecord, name)
        if self._cache is not None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            # a save that finished while this read waited is newer: keep it
            return self._cache.setdefault(name, record)
        return record

    async def _save(self, key: StorageKey, **values: Any) -> None:
        """One upsert, then drop the row if it became empty: two instances writing a user's
        first state at the same moment must not collide on the primary key."""
        name, now = self._key(key), utcnow()
        async with self._sessionmaker() as session:
            insert = _insert_for(session.get_bind().dialect.name)
            await session.execute(
                insert(FsmRecord)
                .values({"key": name, "state": None, "data": "{}", "updated_at": now, **values})
                .on_conflict_do_update(
                    index_elements=[FsmRecord.key], set_={**values, "updated_at": now}
                )
            )
            await session.execute(
                delete(FsmRecord).where(
                    FsmRecord.key == name, FsmRecord.state.is_(None), FsmRecord.data == "{}"
                )
            )
            record = await session.get(FsmRecord, name, populate_existing=True)
            await session.commit()
        if self._cache is not None:
            self._cache[name] = record

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._save(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._load(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._save(key, data=json.dumps(dict(data), ensure_ascii=False, default=str))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._load(key)
        if record is None:
            return {}
        loaded = json.loads(record.data)
        return loaded if isinstance(loaded, dict) else {}

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
