"""Routers, one per feature, joined in a fixed order: commands and dialogs first, the
free-text FAQ catch-all and the fallbacks last. Each call builds fresh routers, because an
aiogram router can belong to one Dispatcher only (tests and benchmarks build several)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def get_routers() -> list[Router]:
    # imported here, not at the top: `handlers.tg` (and services' adapters) must be importable
    # without pulling in every router
    from handlers import (
        acks,
        admin,
        broadcasts_admin,
        chats,
        common,
        errors,
        escalation,
        events,
        events_admin,
        fallback,
        faq,
        faq_learn,
        panel_link,
        privacy,
        profile,
        staff,
        staff_invites,
        start,
        transfer,
    )
    from handlers.chats import addressed, staff_room

    modules = (
        errors,
        addressed,  # /start, /help or @bot in a parents' group: «ask me privately»
        common,
        staff_room,  # staff commands in a parents' group: refused before they answer there
        staff_invites,
        start,
        privacy,
        transfer,
        admin,
        panel_link,
        profile,
        events,
        events_admin,
        chats,
        broadcasts_admin,
        acks,
        faq_learn,
        staff,
        escalation,
        faq,
        fallback,
    )
    routers = [module.create_router() for module in modules]
    # chain_tail: each router and the ones it includes (chats, broadcasts_admin and
    # events_admin are built from sub-routers)
    for router in (nested for top in routers for nested in top.chain_tail):
        for observer in router.observers.values():
            # router-wide filters live on the observer's own handler object
            _run_inline(observer._handler.filters or ())
            for handler in observer.handlers:
                _run_inline(handler.filters or ())
    return routers


def _run_inline(filters: Iterable[FilterObject]) -> None:
    """Evaluate sync filters (`F.text == …`) in the event loop instead of a thread.

    aiogram runs every non-async filter through `asyncio.to_thread`; a text message passes some
    forty of them on its way to the FAQ catch-all, and each hop costs more than the attribute
    reads the filter does. Magic filters never block, so running them inline is safe.
    """
    for item in filters:
        if item.awaitable:
            continue
        sync = item.callback

        async def inline(*args: Any, _sync: Any = sync, **kwargs: Any) -> Any:
            return _sync(*args, **kwargs)

        item.callback, item.awaitable = inline, True
