"""The bot's `t.me/<bot>?start=<payload>` links: the one place that knows their payloads.

Built with aiogram's `create_start_link` and matched with `CommandStart(deep_link=True)`. The
payload stays plain (`event_<id>`, not base64): links already sent in broadcasts keep working.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import CommandObject, CommandStart
from aiogram.utils.deep_linking import create_start_link

from bot.core.ids import row_id
from bot.services.events.links import EVENT_PREFIX, event_payload


async def event_link(bot: Bot, event_id: int) -> str:
    """The link that opens the event's card with «Записаться» (handlers.start)."""
    return await create_start_link(bot, event_payload(event_id))


def event_start() -> CommandStart:
    """`/start event_<id>`, as Telegram sends it when such a link is opened; an id no row can
    have (letters, «²», past the column) is a forged link and gets the plain welcome, as in MAX
    (a query with it would raise)."""
    return CommandStart(deep_link=True, magic=F.args.func(_event_id))


def _event_id(args: str | None) -> int | None:
    if not (args or "").startswith(EVENT_PREFIX):
        return None
    return row_id((args or "").removeprefix(EVENT_PREFIX))


def event_id(command: CommandObject) -> int:
    """The id in a `/start` that `event_start()` matched."""
    found = _event_id(command.args)
    assert found is not None, "event_start() let through only ids a row can have"
    return found


STAFF_PREFIX = "staff_"  # bot.services.staff.members.INVITE_PREFIX


def staff_start() -> CommandStart:
    """`/start staff_<token>`: an invite link (any token: a forged one is told so)."""
    return CommandStart(deep_link=True, magic=F.args.regexp(rf"^{STAFF_PREFIX}[A-Za-z0-9_-]+$"))


def staff_token(command: CommandObject) -> str:
    return (command.args or "").removeprefix(STAFF_PREFIX)
