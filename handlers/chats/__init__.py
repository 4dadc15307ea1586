"""The chat registry kept by Telegram's own signals, plus private news subscriptions.

Broadcasts go only where this registry says, so it follows what Telegram reports (`members`).
Binding a chat to an audience is an admin's decision (`binding`); admins read the registry
with /chats (`registry`); people subscribe in private (`subscriptions`). The parts are joined
in that order, which is the order their handlers were written in one router before: none of
them filters the router itself, each handler carries its own chat-type and admin filters.
"""

from __future__ import annotations

from aiogram import Router

from handlers.chats import binding, members, registry, subscriptions


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.include_routers(
        members.create_router(),
        binding.create_router(),
        registry.create_router(),
        subscriptions.create_router(),
    )
    return router
