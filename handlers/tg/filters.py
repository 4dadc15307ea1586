"""Shared filters; admin access is decided on the server by the staff roster (owners from
ADMIN_IDS, staff they invited), never from payloads."""

from __future__ import annotations

from aiogram.filters import BaseFilter
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser

from bot.services.staff.roster import Roster
from storage.repositories import Repositories


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
