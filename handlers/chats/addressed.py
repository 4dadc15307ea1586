"""Someone in a parents' or directors' group addresses the bot — /start, /help, /cancel or
a message that mentions @bot: one short reply pointing to the private chat, where questions are
answered without the whole group reading them. Everything else said in the group is not for the
bot and gets no answer. The staff group keeps the full /help (mounted before handlers.common)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import BaseFilter, Command
from aiogram.types import Message

from bot.services.chats import registry
from bot.texts import chats as t
from handlers.chats.shared import PublicGroup
from handlers.tg.keyboards import chats as kb


class MentionsMe(BaseFilter):
    """The text names the bot: `@moc_bot, как …` (a mention entity, any letter case) — in a
    caption too: a photo of a certificate with «@moc_bot, что это?» is a question to the bot."""

    async def __call__(self, message: Message, bot: Bot) -> bool:
        username = (await bot.me()).username
        said = message.text or message.caption
        if not username or not said:
            return False
        mentions = (
            e.extract_from(said).lower()
            for e in message.entities or message.caption_entities or ()
            if e.type == "mention"
        )
        return f"@{username.lower()}" in mentions


async def point_to_private(message: Message, bot: Bot) -> None:
    username = (await bot.me()).username
    await message.reply(t.IN_GROUP, reply_markup=kb.open_private(username) if username else None)


def create_router() -> Router:
    """Mounted by handlers.get_routers before `common` (its /help is for private chats)."""
    router = Router(name=__name__)
    public = PublicGroup()
    router.message.register(point_to_private, Command(*registry.ADDRESSING_COMMANDS), public)
    router.message.register(point_to_private, MentionsMe(), public)
    return router
