"""Someone in a parents' or directors' group addresses the bot — /start, /help, /cancel or
a message that mentions @bot: one short reply pointing to the private chat, where questions are
answered without the whole group reading them; /subscribe and /unsubscribe hear what a group's
news are. Everything else said in the group is not for the bot and gets no answer. The staff
group keeps the full /help (mounted before handlers.common). In a busy group the pointer comes
once per few minutes (bot.services.chats.pointers); a question put to the bot by its name gets
its own every time."""

from __future__ import annotations

from functools import partial

from aiogram import Bot, Router
from aiogram.filters import BaseFilter, Command
from aiogram.types import Message

from bot.core.clock import Clock
from bot.services.chats import registry
from bot.services.chats.pointers import PointerGate, asks_more
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


async def point_to_private(
    message: Message, bot: Bot, clock: Clock, pointers: PointerGate, mention: bool = False,
    news: bool = False,
) -> None:  # fmt: skip
    """`news`: /subscribe or /unsubscribe, a question of its own (answered every time)."""
    username = (await bot.me()).username
    said = message.text or message.caption or ""
    question = news or (mention and asks_more(said, username or ""))
    chat = f"tg:{bot.id}:{message.chat.id}"
    if not await pointers.admit(chat, clock.now(), question=question):
        return  # the group was pointed there a moment ago, right above
    markup = kb.open_private(username) if username else None
    await message.reply(t.IN_GROUP_NEWS if news else t.IN_GROUP, reply_markup=markup)


def create_router() -> Router:
    """Mounted by handlers.get_routers before `common` (its /help is for private chats)."""
    router = Router(name=__name__)
    public = PublicGroup()
    # `pointers`: the process's gate (Services.pointers; with REDIS_URL its stamps are
    # shared with the other instances)
    commands = Command(*registry.ADDRESSING_COMMANDS)
    router.message.register(point_to_private, commands, public)
    news = partial(point_to_private, news=True)
    router.message.register(news, Command(*registry.NEWS_COMMANDS), public)
    router.message.register(partial(point_to_private, mention=True), MentionsMe(), public)
    return router
