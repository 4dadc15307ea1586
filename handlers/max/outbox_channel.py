"""MAX's side of the outbox (bot/services/outbox): a stored reply sent again at the pace of the
MAX messenger's replies (its MaxPacer), to the person or group behind the internal chat id.

A parcel holds one MAX message: the text as MAX's HTML and the `inline_keyboard` attachment
as MAX's own JSON (a long reply was kept as one row per part, in order).
"""

from __future__ import annotations

import asyncio
import json
import logging

from bot.core.messages import Unreachable
from bot.services.outbox import Outcome, Parcel
from handlers.max.client import (
    MaxBlocked,
    MaxError,
    MaxNetworkError,
    MaxNotFound,
    MaxRetryAfter,
    MaxServerError,
)
from handlers.max.messenger import MaxMessenger

log = logging.getLogger(__name__)


class MaxOutbox:
    def __init__(self, messenger: MaxMessenger) -> None:
        self.messenger = messenger

    async def deliver(self, parcel: Parcel) -> Outcome:
        try:
            chat, user = await self.messenger.target(parcel.chat_id)
        except Unreachable:
            return Outcome.BLOCKED
        wait = await self.messenger.pacer.take(parcel.chat_id)
        if wait > 0:
            await asyncio.sleep(wait)
        attachments = json.loads(parcel.buttons) if parcel.buttons else []
        try:
            await self.messenger.client.send_message(
                chat_id=chat, user_id=user, text=parcel.text, format=parcel.parse_mode,
                attachments=attachments,
            )  # fmt: skip
        except MaxRetryAfter:
            self.messenger.pacer.slow_down()
            return Outcome.LATER
        except (MaxServerError, MaxNetworkError):
            return Outcome.LATER
        except (MaxBlocked, MaxNotFound):
            return Outcome.BLOCKED
        except MaxError as exc:
            log.error("outbox: MAX refused the stored reply to %s: %s", parcel.chat_id, exc)
            return Outcome.BLOCKED
        return Outcome.SENT
