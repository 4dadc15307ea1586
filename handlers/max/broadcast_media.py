"""The MAX channel's `media`: a broadcast's photo or document as a MAX attachment.

MAX takes a file in two steps (handlers.max.client.upload: POST /uploads for an upload URL,
the bytes to it, a token back); the token then goes into as many messages as needed. So the
file is uploaded on the broadcast's first MAX send and the token reused for the rest. The
bytes come from the database for a file attached in the web panel, or from Telegram for one a
staff member sent the bot (only a process with a Bot can fetch those).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from broadcasts.content import Content
from broadcasts.files import FileData, OncePerFile, StoredFiles
from handlers.max.client import MaxClient

log = logging.getLogger(__name__)
# Telegram's file by its file_id: the bytes (via the Bot), in a process that has one.
TelegramFile = Callable[[str], Awaitable[bytes]]
MAX_KIND = {"photo": "image", "document": "file"}


class MaxMedia:
    """Callable as `MaxChannel(media=…)`; None when the file cannot be had here."""

    def __init__(
        self, client: MaxClient, files: StoredFiles, telegram: TelegramFile | None = None
    ) -> None:
        self._client, self._files, self._telegram = client, files, telegram
        self._tokens = OncePerFile()

    async def __call__(self, content: Content) -> dict[str, Any] | None:
        kind = MAX_KIND.get(content.kind)
        key = ("stored", content.stored_file) if content.stored_file else ("tg", content.file_id)
        if kind is None or key[1] is None:
            return None
        token = self._tokens.known(key)
        if token is None:
            async with self._tokens.lock(key):
                token = self._tokens.known(key)
                if token is None:
                    found = await self._load(content)
                    if found is None:
                        return None
                    token = await self._client.upload(found.data, found.name, kind)
                    self._tokens.remember(key, token)
        return {"type": kind, "payload": {"token": token}}

    async def _load(self, content: Content) -> FileData | None:
        if content.stored_file is not None:
            return await self._files.load(content.stored_file)
        if content.file_id is None or self._telegram is None:
            return None
        name = content.file_name or ("photo.jpg" if content.kind == "photo" else "document")
        try:
            data = await self._telegram(content.file_id)
        except LookupError as exc:
            log.warning("no Telegram file for MAX: %s", exc)
            return None
        return FileData(content.kind, name, "application/octet-stream", data)
