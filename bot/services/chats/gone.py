"""A group a broadcast found gone: the admins of its messenger hear it once, by name.

The bot can lose a group without being told — it was kicked while the bot was down, the group
was deleted — and then only a broadcast finds out (Telegram's 403 «bot was kicked» / «not a
member», 400 «chat not found»; MAX's 403 and 404). `broadcasts.courier` calls `GoneGroups` only
for the delivery whose conditional UPDATE turned the group inactive: later broadcasts skip an
inactive group, two broadcasts meeting it at once flip it once, and a group whose removal staff
were already told of (my_chat_member, MAX `bot_removed`) was inactive before any of them. A
person who blocked the bot never comes here. Told are the people who hear of a removal: ADMIN_IDS
for a Telegram group, MAX_ADMIN_IDS for a MAX one.
"""

from __future__ import annotations

import logging

from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import fill
from bot.core.messages import Deferred, Messenger, Unreachable
from bot.services.chats.registry import audience_list
from bot.texts import chats as t
from storage.db import SessionMaker
from storage.models import Chat
from storage.repositories import Repositories
from storage.repositories.chats import audiences_of

log = logging.getLogger(__name__)


async def admins_of(repo: Repositories, settings: Settings, channel: str) -> list[int]:
    """Who hears about the groups of a messenger, as internal ids (a MAX admin's is made on
    first use and flushed; the caller commits)."""
    if channel == "max":
        return [
            await repo.channel_ids.internal("max", "user", admin)
            for admin in sorted(settings.max_admin_ids)
        ]
    return sorted(settings.admin_ids)


def gone_notice(chat: Chat, shown_id: int, broadcast_id: int) -> str | None:
    """The admins' message (`shown_id`: the id in the group's own messenger); None for a group
    bound to nothing, as for the removal notice."""
    audiences = audiences_of(chat)
    if not audiences:
        return None
    kind = t.KIND_FROM.get(chat.kind, chat.kind)
    if channel_of(chat.id) == "max":
        kind += " MAX"
    return fill(t.GONE, broadcast=broadcast_id, kind=kind, title=chat.title or "—",
                chat_id=shown_id, audiences=audience_list(audiences))  # fmt: skip


class GoneGroups:
    """`broadcasts.runtime.GroupGone` for the worker: reads the group, tells its admins."""

    def __init__(
        self, settings: Settings, sessionmaker: SessionMaker, messenger: Messenger
    ) -> None:
        self._settings, self._sessionmaker, self._messenger = settings, sessionmaker, messenger

    async def __call__(self, chat_id: int, broadcast_id: int) -> None:
        async with self._sessionmaker() as session:
            repo = Repositories(session)
            chat = await repo.chats.get(chat_id)
            shown = await repo.channel_ids.external(chat_id)
            notice = gone_notice(chat, shown or chat_id, broadcast_id) if chat else None
            admins = await admins_of(repo, self._settings, channel_of(chat_id))
            await repo.commit()
        if notice is None:
            return
        log.info("broadcast %s found chat %s gone; telling %s admins", broadcast_id, chat_id,
                 len(admins))  # fmt: skip
        for admin in admins:
            try:
                await self._messenger.send(admin, notice)
            except (Unreachable, Deferred) as exc:  # an admin who never opened the bot
                log.warning("admin %s not told about chat %s: %s", admin, chat_id, exc)
