"""Long polling that survives an update aiogram cannot parse.

aiogram validates a whole getUpdates batch at once: one update with a field newer than our
aiogram (or from an older self-hosted Bot API behind TELEGRAM_API_URL) fails the batch, the
offset never moves, the same batch is fetched forever and each failure is logged at ERROR with
the raw batch (other users' names and texts). This request middleware on the bot's session
parses such a batch update by update instead: the good ones are handled, the bad ones skipped
(handlers.tg.bad_updates logs id and type, /metrics counts them) and confirmed with the next
offset.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

from handlers.tg import bad_updates


class SkipUnparsableUpdates(BaseRequestMiddleware):
    """Installed on the session by bot.app.factory.create_bot; touches getUpdates only."""

    def __init__(self) -> None:
        self.confirm_from = 0  # the next getUpdates offset is at least this

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        polling = isinstance(method, GetUpdates)
        if polling:
            self._confirm_skipped(cast(GetUpdates, method))
        try:
            return await make_request(bot, method)
        except ClientDecodeError as exc:
            batch = _batch(exc.data) if polling else None
            if batch is None:
                raise
            # what make_request really returns is the result, not the Response
            return cast(Response[TelegramType], self._parse(bot, batch))

    def _confirm_skipped(self, method: GetUpdates) -> None:
        """aiogram moves the offset past the updates it yielded; a skipped one after the last
        of them is confirmed here (every update before it came in the same batch)."""
        if (method.offset or 0) < self.confirm_from:
            method.offset = self.confirm_from

    def _parse(self, bot: Bot, batch: list[Any]) -> list[Update]:
        parsed: list[Update] = []
        for raw in batch:
            try:
                parsed.append(Update.model_validate(raw, context={"bot": bot}))
            except ValidationError as error:
                bad_updates.skipped(raw, "polling", error)
                update_id = bad_updates.update_id_of(raw)
                if update_id is not None:
                    self.confirm_from = max(self.confirm_from, update_id + 1)
        return parsed


def _batch(data: Any) -> list[Any] | None:
    """The list of raw updates of a successful getUpdates answer, or None for anything else."""
    if isinstance(data, dict) and data.get("ok") is True and isinstance(data.get("result"), list):
        return list(data["result"])
    return None
