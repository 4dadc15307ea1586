"""What a staff member sees in their private chat with the bot: the staff command menu and,
when the panel has a public https address, a menu button opening it as a Mini App.

Owners' menus are set with everyone's at start-up (handlers.tg.commands); invited staff get
theirs here at start-up and the moment they join, and lose them when removed (the roster's
listener). Failures are logged, never raised: the rights themselves live in the database.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)

from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.services.staff.roster import Roster
from bot.texts import commands as menus
from bot.texts import staff as t

log = logging.getLogger(__name__)


def webapp_url(settings: Settings) -> str | None:
    """The Mini App's address; Telegram opens only https ones."""
    url = f"{settings.panel_url}/web/webapp"
    return url if url.startswith("https://") else None


async def show_tools(bot: Bot, settings: Settings, chat_id: int) -> None:
    commands = {**menus.BOT_COMMANDS, **menus.ADMIN_COMMANDS}
    listed = [BotCommand(command=name, description=text) for name, text in commands.items()]
    try:
        await bot.set_my_commands(listed, scope=BotCommandScopeChat(chat_id=chat_id))
        url = webapp_url(settings)
        if url is not None:
            button = MenuButtonWebApp(text=t.MENU_BUTTON, web_app=WebAppInfo(url=url))
            await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramAPIError as exc:
        log.warning("staff menu for %s not set: %s", chat_id, exc)


async def hide_tools(bot: Bot, chat_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonDefault())
    except TelegramAPIError as exc:
        log.warning("staff menu for %s not removed: %s", chat_id, exc)


async def on_startup(bot: Bot, settings: Settings, roster: Roster) -> None:
    """Learn the bot's link, menus for the Telegram staff, and follow later changes."""
    me = await bot.me()
    if me.username:
        roster.deep_links["tg"] = f"https://t.me/{me.username}"
    owners = settings.admin_ids
    for person_id in sorted(await roster.members()):
        if channel_of(person_id) == "tg" and (person_id not in owners or webapp_url(settings)):
            await show_tools(bot, settings, person_id)
    follow_changes(bot, settings, roster)


def follow_changes(bot: Bot, settings: Settings, roster: Roster) -> None:
    """Someone added or removed here (the bot, or a panel of its own: `python -m bot web`)
    gets or loses the staff menus at once."""

    async def follow(person_id: int, is_staff: bool) -> None:
        if channel_of(person_id) != "tg":
            return
        await (show_tools(bot, settings, person_id) if is_staff else hide_tools(bot, person_id))

    roster.listeners.append(follow)
