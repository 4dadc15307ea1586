"""/chats: the registry for admins (bot.services.chats.listing, shared with MAX's /chats), with
chat and subscriber counts per audience and the chats the bot is no longer in, by name."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.services.chats.listing import registry_report
from handlers.chats.shared import not_admin
from handlers.tg.filters import IsAdmin
from storage.repositories import Repositories


async def chats_command(message: Message, repo: Repositories) -> None:
    for part in await registry_report(repo):
        await message.answer(part)


def create_router() -> Router:
    """Mounted in handlers.chats."""
    router = Router(name=__name__)
    private = F.chat.type == "private"
    router.message.register(not_admin, private, Command("chats"), ~IsAdmin())
    router.message.register(chats_command, private, Command("chats"))
    return router
