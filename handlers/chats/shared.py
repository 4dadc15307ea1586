"""What the chat registry's handlers share: the kinds of chat, a group everyone reads, how
callback answers are worded, the admin-only refusal."""

from __future__ import annotations

import logging
from typing import TypeVar

from aiogram import Bot
from aiogram.filters import BaseFilter
from aiogram.types import Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import clip
from bot.services.chats import registry
from bot.services.chats.pointers import PointerGate
from bot.texts import chats as t
from storage.repositories import Repositories

log = logging.getLogger(__name__)
GROUPS = frozenset({"group", "supergroup"})
CHAT_KINDS = GROUPS | {"channel"}
T = TypeVar("T")


def toast(template: str, **values: object) -> str:
    """A callback answer: plain text (no HTML, so nothing to escape), at most 200 chars."""
    return clip(template.format(**values), 200)


class PublicGroup(BaseFilter):
    """A group other than the staff group (STAFF_CHAT_ID or the supergroup it became): what
    the bot says there every member reads."""

    async def __call__(self, message: Message, repo: Repositories, settings: Settings) -> bool:
        if message.chat.type not in GROUPS:
            return False
        return not await registry.is_staff_room(repo, message.chat.id, settings.staff_chat_id)


async def not_admin(
    message: Message, bot: Bot, clock: Clock, pointers: PointerGate,
    refusal: str = texts.ADMIN_ONLY,
) -> None:  # fmt: skip
    """An anonymous group admin writes as the group itself: the bot cannot tell who it is, so
    it says how to get through instead of «только для сотрудников» (`refusal`). Either is
    said once per few minutes in a group: a group tapping /bind hears one (`pointers`)."""
    anonymous = message.sender_chat is not None and message.sender_chat.id == message.chat.id
    if message.chat.type in GROUPS:
        kind = "anonymous" if anonymous else "staff-only"
        if not await pointers.once(f"tg:{bot.id}:{message.chat.id}", clock.now(), kind):
            return
    await message.reply(t.ANONYMOUS_ADMIN if anonymous else refusal)
