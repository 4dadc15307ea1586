"""Each update is handled once, even when Telegram delivers it twice.

Telegram repeats a webhook delivery it saw no answer to (a timeout, an instance restarted, the
load balancer sent the retry to another instance); polling repeats a batch whose offset was
never acknowledged. Before any handler runs, the update_id is claimed in `processed_updates`
(storage/repositories/processed.py): exactly one instance wins, the loser skips the update.
The claim comes first, so the guarantee is "at most once": an update whose handler crashes is
logged by the error handler, not retried.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.core import metrics
from bot.core.clock import Clock
from handlers.tg.middlewares import Handler
from storage.db import SessionMaker
from storage.repositories.processed import UpdateClaims

log = logging.getLogger(__name__)


class UpdateDedupe(BaseMiddleware):
    """Outer middleware on `dp.update`, registered before the one that opens the session."""

    def __init__(self, sessionmaker: SessionMaker, clock: Clock) -> None:
        self.claims, self.clock = UpdateClaims(sessionmaker), clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and not await self.claim(event.update_id):
            log.info("update %s was already processed; skipped", event.update_id)
            metrics.update_duplicate()
            return None
        return await handler(event, data)

    async def claim(self, update_id: int) -> bool:
        """True for the first caller with this update_id, False for every later one."""
        return await self.claims.claim(update_id, self.clock.now())
