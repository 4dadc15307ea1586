"""Dialog state in Redis that degrades instead of failing when Redis goes away mid-run.

Without this, a lost Redis makes aiogram's FSM middleware raise on every update, so even a
plain FAQ question gets «что-то пошло не так». Here a Redis error is logged (once a minute)
and the update goes on as if the user had no dialog in progress: questions are still
answered, and an unfinished dialog asks again once Redis is back. Start-up still refuses an
unreachable Redis (bot.app.factory.check_fsm_storage), so this only covers losing it later.

A Redis that hangs (a paused VM, a network partition) costs a socket timeout per call, and an
update makes several; after one failure Redis is left alone for RETRY_AFTER seconds, so a
parent waits for one timeout, not for a dozen on every message.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import LockError

from bot.core.redis_breaker import ERRORS, Breaker

log = logging.getLogger(__name__)
# A person's lock expires on its own after this long: an update stuck (or an instance killed
# while holding it) holds that person's next messages, in Telegram and MAX, no longer than this
LOCK_SECONDS: Final = 30


class ResilientRedisStorage(BaseStorage):
    def __init__(self, inner: RedisStorage) -> None:
        self.inner = inner
        self._warn = Breaker("Redis unavailable, answering without dialog state")

    @property
    def redis(self) -> Any:
        return self.inner.redis

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        if not self._warn.closed():
            return
        try:
            await self.inner.set_state(key, state)
        except ERRORS as exc:
            self._warn("set_state", exc)

    async def get_state(self, key: StorageKey) -> str | None:
        if not self._warn.closed():
            return None
        try:
            return await self.inner.get_state(key)
        except ERRORS as exc:
            self._warn("get_state", exc)
            return None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not self._warn.closed():
            return
        try:
            await self.inner.set_data(key, data)
        except ERRORS as exc:
            self._warn("set_data", exc)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        if not self._warn.closed():
            return {}
        try:
            return await self.inner.get_data(key)
        except ERRORS as exc:
            self._warn("get_data", exc)
            return {}

    def create_isolation(self) -> ResilientIsolation:
        inner = self.inner.create_isolation(lock_kwargs={"timeout": LOCK_SECONDS})
        return ResilientIsolation(inner, self._warn)

    async def close(self) -> None:
        try:
            await self.inner.close()
        except ERRORS as exc:
            self._warn("close", exc)


class ResilientIsolation(BaseEventIsolation):
    """Redis locks per user (Telegram's updates and MAX's, bot.app.max_runtime): one update of
    a person at a time across instances; without Redis it runs unlocked rather than not at
    all."""

    def __init__(self, inner: BaseEventIsolation, warn: Breaker) -> None:
        self.inner, self._warn = inner, warn

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        if not self._warn.closed():
            yield None
            return
        manager = self.inner.lock(key)
        try:
            await manager.__aenter__()
        except ERRORS as exc:
            self._warn("lock", exc)
            yield None
            return
        try:
            yield None
        finally:
            try:
                await manager.__aexit__(None, None, None)
            except LockError as exc:  # held past LOCK_SECONDS and expired: Redis is fine
                log.warning("update lock %s expired before the update finished (%s)", key, exc)
            except ERRORS as exc:
                self._warn("unlock", exc)

    async def close(self) -> None:
        try:
            await self.inner.close()
        except ERRORS as exc:
            self._warn("close", exc)
