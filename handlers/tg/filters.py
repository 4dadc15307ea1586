"""Shared filters; admin access is decided on the server by the staff roster (owners from
ADMIN_IDS, staff they invited), never from payloads. `Typed`: a menu button's words typed."""

from __future__ import annotations

import re

from aiogram import F
from aiogram.filters import BaseFilter
from aiogram.types import Message, TelegramObject
from aiogram.types import User as TgUser

from bot.core.words import typed_command
from bot.services.staff.roster import Roster
from storage.repositories import Repositories

COMMAND = re.compile(r"^/\w")  # «/» and a letter: a command, whatever the alphabet
# on a dialog's step: a command typed there («/faq», a typo «/hepl») goes on to the command
# handlers (MAX alike) instead of becoming the step's answer (an organisation «/faq»)
NOT_COMMAND = ~F.text.regexp(COMMAND)


class IsAdmin(BaseFilter):
    """Staff (any role); `IsOwner` for what only owners may do."""

    async def __call__(
        self,
        event: TelegramObject,
        roster: Roster,
        repo: Repositories,
        event_from_user: TgUser | None = None,
    ) -> bool:
        return event_from_user is not None and await roster.is_staff(event_from_user.id, repo)


class IsOwner(BaseFilter):
    async def __call__(
        self,
        event: TelegramObject,
        roster: Roster,
        repo: Repositories,
        event_from_user: TgUser | None = None,
    ) -> bool:
        return event_from_user is not None and await roster.is_owner(event_from_user.id, repo)


class Typed(BaseFilter):
    """The whole message is a menu button's words without its emoji («мои записи», «Мои
    данные»), as MAX reads them (bot.core.words.TYPED_COMMANDS): otherwise the FAQ took
    «мои записи» for the Navigator's «как записаться в кружок». Register it with
    StateFilter(None): inside a dialog the words are that dialog's answer."""

    def __init__(self, command: str) -> None:
        self.command = command

    async def __call__(self, message: Message) -> bool:
        return typed_command(message.text) == self.command
