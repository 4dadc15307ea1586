"""Staff commands typed in a MAX group (a parents' or directors' chat): refused there with a
pointer to the private dialog, as Telegram's handlers/chats/staff_room.py does. Their answers —
open tickets with parents' questions, the report, a personal panel link — would be read by
every member. Anyone who is not staff hears Telegram's «только для сотрудников»; before this
the bot said nothing at all, and staff took the silence for a broken bot."""

from __future__ import annotations

import logging
from typing import Final

from bot import texts
from bot.core.markup import fill
from bot.core.messages import Button, rows
from bot.texts import chats as chat_texts
from bot.texts import max as max_texts
from handlers.max import groups, staff_desk, updates
from handlers.max.context import JsonDict, MaxContext
from storage.repositories import Repositories

# the MAX desk's commands and the rest of a staff member's private ones (joined in
# bot/app/max_runtime.py right after handlers.max.groups)
log = logging.getLogger(__name__)
STAFF_COMMANDS: Final = staff_desk.COMMANDS | {"new_event", "broadcast", "web", "invite"}


def staff_command(text: str, own: str | None = None) -> str | None:
    """`/tickets@moc_bot` → "tickets"; None for anything that is not a staff command, or one
    addressed to another bot (`own`: the bot's username)."""
    name = updates.command_word(text, own)
    return name if name in STAFF_COMMANDS else None


async def elsewhere(ctx: MaxContext, update: JsonDict) -> bool:
    found = groups.said_in_group(update)
    name = staff_command(found[1], groups.own_name(ctx)) if found is not None else None
    if found is None or name is None:
        return False
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        chat_id = await repo.channel_ids.internal("max", "chat", found[0])
        staff = await groups.is_admin(ctx, repo, groups.sender_of(update))
        await repo.commit()
    link = ctx.roster.deep_links.get("max")
    if not staff:  # a group tapping /tickets hears it once per few minutes
        if not await ctx.refusals.once(f"max:{found[0]}", ctx.clock.now()):
            return True
        text, keyboard = texts.ADMIN_ONLY, None
    else:
        text = fill(max_texts.STAFF_COMMAND_IN_GROUP, command=name)
        keyboard = rows(Button(chat_texts.BTN_OPEN_PRIVATE, url=link)) if link else None
    await groups.say(ctx, chat_id, text, keyboard)
    return True
