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
from sqlalchemy import delete, select

from storage.db import SessionMaker
from storage.models import FsmRecord, utcnow


class SqlStorage(BaseStorage):
    """`cache=True` keeps a write-through copy in memory: right only while this process is the
    sole writer, which is what a SQLite deployment is (several instances use Redis)."""

    def __init__(self, sessionmaker: SessionMaker, *, cache: bool = False) -> None:
        self._sessionmaker = sessionmaker
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
            self._cache[name] = record
        return record

    async def _save(self, key: StorageKey, **values: Any) -> None:
        async with self._sessionmaker() as session:
            record = await session.get(FsmRecord, self._key(key))
            if record is None:
                record = FsmRecord(key=self._key(key), state=None, data="{}")
                for name, value in values.items():
                    setattr(record, name, value)
                if record.state is None and record.data == "{}":
                    if self._cache is not None:
                        self._cache[self._key(key)] = None
                    return  # nothing to keep
                session.add(record)
            else:
                for name, value in values.items():
                    setattr(record, name, value)
                record.updated_at = utcnow()
                if record.state is None and record.data == "{}":
                    await session.delete(record)
            await session.commit()
            if self._cache is not None:
                empty = record.state is None and record.data == "{}"
                self._cache[self._key(key)] = None if empty else record

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

    async def clear_all(self) -> None:
        async with self._sessionmaker() as session:
            await session.execute(delete(FsmRecord))
            await session.commit()
        if self._cache is not None:
            self._cache.clear()

    async def count(self) -> int:
        async with self._sessionmaker() as session:
            return len((await session.scalars(select(FsmRecord.key))).all())

    async def close(self) -> None:
        return None
