"""/web: a staff member gets a one-time sign-in link to the web panel (handlers/web).

Only in a private chat: the link opens a session as its owner, so it must not be shown to a
group. The role is checked here and again when the link is opened.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.staff.web_sessions import login_link
from bot.texts import web as t
from handlers.tg.filters import IsAdmin


async def send_link(message: Message, settings: Settings, clock: Clock) -> None:
    assert message.from_user is not None  # IsAdmin passed
    user = message.from_user
    link = login_link(settings, user.id, user.full_name, clock.now())
    await message.answer(fill(t.WEB_LINK, link=link))


async def private_only(message: Message) -> None:
    await message.answer(t.WEB_PRIVATE_ONLY)


async def not_admin(message: Message) -> None:
    await message.answer(texts.ADMIN_ONLY)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(not_admin, Command("web"), ~IsAdmin())
    router.message.register(send_link, Command("web"), F.chat.type == "private")
    router.message.register(private_only, Command("web"))
    return router
