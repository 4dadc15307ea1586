"""What the chat registry's handlers share: the kinds of chat, how audiences and callback
answers are worded, the admin-only refusal and the commit that survives a concurrent insert."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from aiogram.types import Message
from sqlalchemy.exc import IntegrityError

from bot import texts
from bot.core.markup import clip
from bot.texts import chats as t
from storage.repositories import Repositories

log = logging.getLogger(__name__)
GROUPS = frozenset({"group", "supergroup"})
CHAT_KINDS = GROUPS | {"channel"}
T = TypeVar("T")


def audience_list(audiences: Iterable[str]) -> str:
    return ", ".join(t.AUDIENCE_TITLES.get(a, a) for a in audiences) or t.NOTHING


def toast(template: str, **values: object) -> str:
    """A callback answer: plain text (no HTML, so nothing to escape), at most 200 chars."""
    return clip(template.format(**values), 200)


async def atomically(repo: Repositories, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` and commit once. If a concurrent update inserted the same row first (two
    taps, two migration reports), roll back and run it again: now it finds the row."""
    try:
        result = await work()
        await repo.commit()
    except IntegrityError:
        log.info("a concurrent update wrote the same row first; running once more")
        await repo.rollback()
        result = await work()
        await repo.commit()
    return result


async def not_admin(message: Message) -> None:
    await message.reply(texts.ADMIN_ONLY)
