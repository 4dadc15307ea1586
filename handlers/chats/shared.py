"""What the chat registry's handlers share: the kinds of chat, how callback answers are worded,
the admin-only refusal."""

from __future__ import annotations

import logging
from typing import TypeVar

from aiogram.types import Message

from bot import texts
from bot.core.markup import clip

log = logging.getLogger(__name__)
GROUPS = frozenset({"group", "supergroup"})
CHAT_KINDS = GROUPS | {"channel"}
T = TypeVar("T")


def toast(template: str, **values: object) -> str:
    """A callback answer: plain text (no HTML, so nothing to escape), at most 200 chars."""
    return clip(template.format(**values), 200)


async def not_admin(message: Message) -> None:
    await message.reply(texts.ADMIN_ONLY)
