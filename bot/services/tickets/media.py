"""Screenshots and files in tickets: the asker's picture goes to every staff chat.

The picture is not stored: Telegram keeps it in the asker's private chat with the bot, and
`copyMessage` puts it beside the ticket post under a caption naming the ticket (`copy_to_staff`).
A messenger cannot copy into another one (a MAX asker, Telegram staff), so there the adapter
fetches the file and it is uploaded to each staff chat (`file_to_staff`). Either post is
remembered as one of the ticket's posts, so a staff reply to the picture answers the ticket.
"""

from __future__ import annotations

import logging

from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import clip, fill
from bot.core.messages import Deferred, MessageRef, Messenger, OutFile, Unreachable
from bot.services.tickets import buttons
from bot.services.tickets.posting import staff_targets
from bot.texts import faq_learn as t
from storage.repositories import Repositories

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024  # Telegram's limit for a caption


async def copy_to_staff(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    ticket_id: int,
    name: str,
    source: tuple[int, int],
    caption: str,
) -> int:
    """Copy the message `source` (chat id, message id) to staff; returns how many arrived.

    The caller commits (the posts are added to the session)."""
    header = _header(ticket_id, name, caption)
    delivered = 0
    for chat_id in await staff_targets(settings, repo):
        if channel_of(chat_id) != channel_of(source[0]):
            continue  # MAX staff beside a Telegram staff chat: a copy cannot cross over
        try:
            copied = await messenger.copy(
                MessageRef(*source), chat_id, buttons.staff_ticket(ticket_id), caption=header
            )
        except (Unreachable, Deferred) as exc:  # the asker deleted it, or the staff chat is gone
            log.warning("ticket %s: attachment not copied to %s: %s", ticket_id, chat_id, exc)
            continue
        await repo.tickets.add_post(ticket_id, chat_id, copied.message_id, copied.ref)
        delivered += 1
    return delivered


async def file_to_staff(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    ticket_id: int,
    name: str,
    file: OutFile,
    caption: str,
) -> int:
    """Upload the asker's picture (fetched by their messenger's adapter) to staff; returns
    how many arrived. The caller commits."""
    header = _header(ticket_id, name, caption)
    delivered = 0
    for chat_id in await staff_targets(settings, repo):
        try:
            sent = await messenger.send_file(chat_id, file, caption=header)
        except (Unreachable, Deferred) as exc:
            log.warning("ticket %s: file not sent to %s: %s", ticket_id, chat_id, exc)
            continue
        await repo.tickets.add_post(ticket_id, sent.chat_id, sent.message_id, sent.ref)
        delivered += 1
    return delivered


def _header(ticket_id: int, name: str, caption: str) -> str:
    header = fill(t.STAFF_SHOT, id=ticket_id, name=name)
    if caption:
        header += fill(t.STAFF_SHOT_CAPTION, caption=clip(caption, CAPTION_LIMIT - 200))
    return header
