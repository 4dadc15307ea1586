"""Staff commands typed in a group that is not the staff group (a parents' or directors' chat
the bot serves): refused with a pointer to the private chat. Their answers — open tickets with
parents' questions, the report workbook, unanswered questions, an event draft — would be read
by every member there. Mounted before the routers that answer those commands; people who are
not staff fall through to their «только для сотрудников».

Commands that answer only in a private chat (/staff, /broadcast, /broadcasts, /chats) typed
by staff in any group, the staff group included, get a pointer there instead of silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts
from bot.core.markup import fill
from bot.texts import chats as t
from bot.texts import staff as staff_texts
from handlers.chats.shared import GROUPS, PublicGroup
from handlers.tg.filters import IsAdmin

STAFF_COMMANDS = ("tickets", "faq_stats", "faq_drafts", "reload_faq", "new_event", "report")
PRIVATE_COMMANDS = ("staff", "broadcast", "broadcasts", "chats")


async def staff_command_elsewhere(message: Message, command: CommandObject) -> None:
    await message.reply(fill(t.STAFF_COMMAND_ELSEWHERE, command=command.command.lower()))


async def private_command_in_group(message: Message, command: CommandObject) -> None:
    await message.reply(fill(staff_texts.PRIVATE_COMMAND, command=command.command.lower()))


async def tickets_button_elsewhere(message: Message) -> None:
    await message.reply(fill(t.STAFF_COMMAND_ELSEWHERE, command="tickets"))


def create_router() -> Router:
    """Mounted by handlers.get_routers right after `common`."""
    router = Router(name=__name__)
    outside = PublicGroup()
    router.message.register(staff_command_elsewhere, Command(*STAFF_COMMANDS), outside, IsAdmin())
    router.message.register(
        tickets_button_elsewhere, F.text == texts.BTN_TICKETS, outside, IsAdmin()
    )
    in_groups = F.chat.type.in_(GROUPS)
    router.message.register(
        private_command_in_group, Command(*PRIVATE_COMMANDS), in_groups, IsAdmin()
    )
    return router
