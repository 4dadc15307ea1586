"""Callback data is written by the client, so it can be forged. A payload whose prefix is ours
but whose values do not unpack (a number out of range, a month 999999, a missing part) is
answered quietly here and reaches no handler: without this it would fall through to a query
that raises (OverflowError), an error alert for the user and an error notice for the admins.

Ranges live on the CallbackData classes (handlers.tg.callbacks); this middleware is the one place
that
turns a failed unpack into a quiet answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, TelegramObject

from bot import texts

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def _known_factories() -> dict[str, type[CallbackData]]:
    """Every CallbackData class defined so far, by prefix (all are imported with the routers)."""
    found: dict[str, type[CallbackData]] = {}
    todo = list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        found.setdefault(cls.__prefix__, cls)
    return found


class CallbackGuard(BaseMiddleware):
    """Outer callback_query middleware: a malformed payload of a known prefix stops here."""

    def __init__(self) -> None:
        self._factories: dict[str, type[CallbackData]] | None = None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery) or not event.data:
            return await handler(event, data)
        if self._factories is None:
            self._factories = _known_factories()
        factory = self._factories.get(event.data.split(":", 1)[0])
        if factory is None:
            return await handler(event, data)  # not ours: the stale-button fallback answers
        try:
            factory.unpack(event.data)
        except (TypeError, ValueError) as exc:
            log.debug(
                "callback %s from user %s rejected (%s): %s",
                event.id, event.from_user.id, factory.__name__, type(exc).__name__,
            )  # fmt: skip
            await event.answer(texts.STALE_BUTTON)
            return None
        return await handler(event, data)
