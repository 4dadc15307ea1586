"""The bot's admin rights in a MAX group or channel changed (`bot_admin_permissions_changed`,
with `is_admin` and the rights now held; MAX sends it to webhooks only): a channel that took
them away, or a group that left the bot without the right to write, gets no broadcast, so
staff are told, as Telegram's handlers/chats/members.py tells them of a restricted bot. The
update says only how things are now, not how they were: the right given back is not told
(a notice on every change of the bot's other rights would be noise)."""

from __future__ import annotations

import logging
from typing import Any

from bot.services.chats import registry
from handlers.max import groups
from handlers.max.context import JsonDict, MaxContext
from storage.repositories import Repositories

log = logging.getLogger(__name__)


def cannot_write(is_channel: bool, is_admin: Any, rights: Any) -> bool:
    """In a channel only an admin posts; in a group an admin whose rights lack «write»."""
    if is_channel:
        return is_admin is not True
    return is_admin is True and isinstance(rights, list) and "write" not in rights


async def rights_changed(ctx: MaxContext, update: JsonDict) -> bool:
    max_chat_id = update.get("chat_id")
    if not isinstance(max_chat_id, int):
        return True
    is_channel = update.get("is_channel") is True
    if not cannot_write(is_channel, update.get("is_admin"), update.get("permissions")):
        return True
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        chat_id = await repo.channel_ids.find("max", "chat", max_chat_id)
        if chat_id is None:
            return True
        log.info("bot may not write in MAX chat %s (%s)", max_chat_id, chat_id)
        notice = await registry.muted_notice(repo, chat_id, shown_id=max_chat_id, messenger=" MAX")
        if notice is not None:  # it receives broadcasts: they would fail unnoticed
            await groups.tell_admins(ctx, repo, notice, None)
    return True
