"""Long polling of MAX (`GET /updates`), for development and for hosts without HTTPS.

The marker is saved in the database after each batch is handled, and read at start: a restart
goes on where the last run stopped, so nothing is lost; a batch interrupted mid-way, or one with
an update that could not be claimed (the database down), is fetched again and the dispatcher's
dedupe skips what was already handled. Updates of one batch run side
by side, one person's in order (the dispatcher's locks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Final

from handlers.max import updates
from handlers.max.client import MaxClient, MaxError, MaxRetryAfter, MaxUnauthorized
from handlers.max.dispatch import MaxDispatcher
from storage.db import SessionMaker
from storage.repositories.markers import MarkerRepo

log = logging.getLogger(__name__)
CHANNEL: Final = "max"
STOP_GRACE: Final = 25.0  # seconds a stop waits for the batch in hand
PAUSE_AFTER_ERROR: Final = 2.0
PAUSE_AFTER_FLOOD: Final = 1.0
MIN_POLL_INTERVAL: Final = 0.5  # MAX allows about 2 polls a second; an error waits longer


class MaxPolling:
    def __init__(
        self,
        client: MaxClient,
        dispatcher: MaxDispatcher,
        sessionmaker: SessionMaker,
        *,
        poll_seconds: int = 30,
        on_flood: Callable[[], object] | None = None,
    ) -> None:
        self.client, self.dispatcher, self.sessionmaker = client, dispatcher, sessionmaker
        self.poll_seconds = poll_seconds
        # a 429 on the poll is the bot's sends crowding MAX out: they slow down (MaxPacer), and
        # the poll comes again in a second — people's messages must not wait for the storm
        self._on_flood = on_flood
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="max-polling")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await self._task
            self._task = None

    async def run(self) -> None:
        marker = await self._load()
        log.info("MAX long polling from marker %s", marker)
        while True:
            began = time.monotonic()
            try:
                types = [t for t in self.dispatcher.update_types if t not in updates.WEBHOOK_ONLY]
                batch = await self.client.get_updates(
                    marker, poll_seconds=self.poll_seconds, types=types
                )
            except MaxUnauthorized:
                log.error("MAX_BOT_TOKEN is no longer accepted; MAX polling stopped")
                return
            except MaxRetryAfter as exc:
                if self._on_flood is not None:
                    self._on_flood()
                log.warning("MAX polling: %s; again in %.0f s", exc, PAUSE_AFTER_FLOOD)
                await asyncio.sleep(PAUSE_AFTER_FLOOD)
                continue
            except MaxError as exc:
                pause = PAUSE_AFTER_ERROR
                log.warning("MAX polling: %s; again in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                continue
            if batch.updates:
                # a stop in the middle lets the batch finish and its marker be saved
                handling = asyncio.ensure_future(self._handle(batch.updates, batch.marker))
                try:
                    done = await asyncio.shield(handling)
                except asyncio.CancelledError:
                    await asyncio.wait_for(handling, STOP_GRACE)
                    raise
                if not done:  # the old marker fetches the batch again; the claims skip the rest
                    log.warning(
                        "MAX polling: updates not claimed; again in %.0f s", PAUSE_AFTER_ERROR
                    )
                    await asyncio.sleep(PAUSE_AFTER_ERROR)
                    continue
            if batch.marker is not None:
                marker = batch.marker
            if not batch.updates and time.monotonic() - began < MIN_POLL_INTERVAL:
                await asyncio.sleep(MIN_POLL_INTERVAL)  # MAX allows about 2 polls a second

    async def _handle(self, batch: list[dict[str, object]], marker: int | None) -> bool:
        """False when an update could not be claimed (the database is down or stayed
        locked): the marker stays, so the batch comes again instead of being lost."""
        fed = await asyncio.gather(*(self.dispatcher.feed(update) for update in batch))
        if not all(fed):
            return False
        if marker is not None:
            await self._save(marker)
        return True

    async def _load(self) -> int | None:
        async with self.sessionmaker() as session:
            return await MarkerRepo(session).get(CHANNEL)

    async def _save(self, marker: int) -> None:
        """A marker that cannot be saved now (the database stayed locked) is saved with the
        next batch; until then a restart gets this batch again, which the claims skip."""
        try:
            async with self.sessionmaker() as session:
                await MarkerRepo(session).set(CHANNEL, marker)
                await session.commit()
        except Exception:
            log.exception("MAX polling: marker %s not saved", marker)
