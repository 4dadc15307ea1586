"""The bot's command menus per scope and its profile texts, set at start-up.

Telegram shows a chat the narrowest menu set for it: private chats get the personal commands,
groups only what works in a group (parents' chats must not offer /my_data or /events), group
administrators the chat-registry commands, МОЦ staff theirs in private and in the staff group.
A failure here (a network hiccup, an admin who never opened the bot) never stops the bot.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)

from bot.core.config import Settings
from bot.texts import commands as t

log = logging.getLogger(__name__)
Scope = (
    BotCommandScopeDefault
    | BotCommandScopeAllPrivateChats
    | BotCommandScopeAllGroupChats
    | BotCommandScopeAllChatAdministrators
    | BotCommandScopeChat
)


def menus(settings: Settings) -> list[tuple[Scope, dict[str, str]]]:
    """Each scope with its commands; staff chats last (they fail if the bot is not there)."""
    private, staff = t.BOT_COMMANDS, {**t.BOT_COMMANDS, **t.ADMIN_COMMANDS}
    group_admins = {**t.GROUP_COMMANDS, **t.GROUP_ADMIN_COMMANDS}
    found: list[tuple[Scope, dict[str, str]]] = [
        (BotCommandScopeDefault(), t.GROUP_COMMANDS),  # anywhere not covered below
        (BotCommandScopeAllPrivateChats(), private),
        (BotCommandScopeAllGroupChats(), t.GROUP_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), group_admins),
    ]
    if settings.staff_chat_id is not None:
        staff_group = {**t.GROUP_COMMANDS, **t.STAFF_GROUP_COMMANDS}
        found.append((BotCommandScopeChat(chat_id=settings.staff_chat_id), staff_group))
    found += [(BotCommandScopeChat(chat_id=i), staff) for i in sorted(settings.admin_ids)]
    return found


async def set_commands(bot: Bot, settings: Settings) -> None:
    for scope, commands in menus(settings):
        listed = [BotCommand(command=name, description=text) for name, text in commands.items()]
        try:
            await bot.set_my_commands(listed, scope=scope)
        except TelegramAPIError as exc:  # a chat the bot never saw: "chat not found"
            log.warning("setMyCommands for %s failed, continuing: %s", scope.type, exc)


def descriptions(settings: Settings) -> tuple[str, str]:
    """(description, short description): the settings' own, or the defaults with MOC_NAME."""
    description = settings.bot_description or t.DESCRIPTION.format(moc_name=settings.moc_name)
    short = settings.bot_short_description or t.SHORT_DESCRIPTION.format(
        moc_name=settings.moc_name
    )
    return description[:512], short[:120]


async def set_profile(bot: Bot, settings: Settings) -> None:
    """The texts of an empty chat and of the bot's profile; unchanged ones are not resent."""
    description, short = descriptions(settings)
    try:
        if (await bot.get_my_description()).description != description:
            await bot.set_my_description(description=description)
    except TelegramAPIError as exc:
        log.warning("setMyDescription failed, continuing: %s", exc)
    try:
        if (await bot.get_my_short_description()).short_description != short:
            await bot.set_my_short_description(short_description=short)
    except TelegramAPIError as exc:
        log.warning("setMyShortDescription failed, continuing: %s", exc)
