"""A broadcast's uploaded file for the channels: read from the database, uploaded once.

A file attached in the web panel (Content.stored_file) is in the database, so whichever
process sends the broadcast can read it. Each messenger then gives the upload an id of its own
(Telegram's file_id, MAX's attachment token); `OncePerFile` makes the first send upload and
every other send of the broadcast, however many run at once, wait for it and reuse that id.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from storage.db import SessionMaker
from storage.repositories.stored_files import StoredFileRepo

REMEMBERED = 64  # files whose messenger id a process keeps


@dataclass(frozen=True)
class FileData:
    kind: str  # "photo" | "document"
    name: str
    mime: str
    data: bytes


class StoredFiles:
    """Reads an uploaded file in a short session of its own (a channel holds none)."""

    def __init__(self, sessionmaker: SessionMaker) -> None:
        self._sessionmaker = sessionmaker

    async def load(self, file_id: int) -> FileData | None:
        async with self._sessionmaker() as session:
            found = await StoredFileRepo(session).data(file_id)
        if found is None:
            return None
        info, data = found
        return FileData(info.kind, info.name, info.mime, data)


class OncePerFile:
    """A messenger's id for each uploaded file, and a lock so only one send uploads it.

    Usage: `known(key)`; if None, `async with lock(key)`, check `known` again, upload, and
    `remember` the id. A failed upload remembers nothing: the next send tries again."""

    def __init__(self, limit: int = REMEMBERED) -> None:
        self._ids: OrderedDict[object, str] = OrderedDict()
        self._locks: dict[object, asyncio.Lock] = {}
        self._limit = limit

    def known(self, key: object) -> str | None:
        return self._ids.get(key)

    def lock(self, key: object) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def unlock(self, key: object) -> None:
        """Forget the lock of `key` once every file it guarded is remembered (an album)."""
        self._locks.pop(key, None)

    def remember(self, key: object, messenger_id: str) -> None:
        self._ids[key] = messenger_id
        self._locks.pop(key, None)  # every later send finds the id without a lock
        while len(self._ids) > self._limit:
            self._ids.popitem(last=False)
