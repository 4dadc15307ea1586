"""Screenshots and files in tickets: the asker's picture goes to every staff chat.

The picture is not stored: Telegram keeps it in the asker's private chat with the bot, and
`copyMessage` puts it beside the ticket post under a caption naming the ticket (`copy_to_staff`).
A messenger cannot copy into another one (a MAX asker and Telegram staff, or a Telegram asker
and MAX staff), so there the adapter fetches the file and it is uploaded to each staff chat
of the other messenger (`file_to_staff`, `copy_to_staff`'s `fetch`). Either post is
remembered as one of the ticket's posts, so a staff reply to the picture answers the ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Literal

from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import clip, fill, q
from bot.core.messages import Deferred, MessageRef, Messenger, OutFile, Unreachable
from bot.services.tickets import buttons
from bot.services.tickets.posting import post, staff_targets, stand_ins
from bot.texts import faq_learn as t
from bot.texts.chats import CHANNEL_TITLES
from storage.repositories import Repositories

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024  # Telegram's limit for a caption
# The asker's file from their messenger, for staff in the other one; None when unavailable.
Fetch = Callable[[], Awaitable[OutFile | None]]


async def copy_to_staff(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    ticket_id: int,
    name: str,
    source: tuple[int, int],
    caption: str,
    fetch: Fetch | None = None,
    what: str = t.SHOT_WHAT_PICTURE,
) -> int:
    """Copy the message `source` (chat id, message id) to staff of its messenger; staff of
    the other one (MAX staff of a Telegram asker) get the file `fetch` downloads, uploaded
    (fetched once, when someone there is to get it), or, when it could not be fetched, a
    word that `what` (escaped: «файл «скан.pdf»») came and where it is. Returns how many
    got the file.

    The caller commits (the posts are added to the session)."""
    header = _header(ticket_id, name, caption)
    delivered = 0
    fetched: list[OutFile | None] = []
    missed: list[int] = []
    targets = await staff_targets(settings, repo)
    pending = list(targets)
    for chat_id in pending:  # grows by the staff, should the staff chat refuse it
        if channel_of(chat_id) != channel_of(source[0]):  # a copy cannot cross over
            if fetch is not None and not fetched:
                fetched.append(await fetch())
            file = fetched[0] if fetched else None
            if file is None:
                log.warning("ticket %s: attachment not sent to %s: no file", ticket_id, chat_id)
                missed.append(chat_id)
                continue
            got = await _upload(messenger, repo, ticket_id, chat_id, file, header)
            delivered += got == "sent"
            pending += stand_ins(targets, chat_id, pending) if got == "refused" else []
            continue
        try:
            copied = await messenger.copy(
                MessageRef(*source), chat_id, buttons.staff_ticket(ticket_id), caption=header
            )
        except Deferred as exc:
            log.warning("ticket %s: attachment not copied to %s: %s", ticket_id, chat_id, exc)
            continue
        except Unreachable as exc:  # the asker deleted it, or the staff chat refuses it
            log.warning("ticket %s: attachment not copied to %s: %s", ticket_id, chat_id, exc)
            pending += stand_ins(targets, chat_id, pending)
            continue
        await repo.tickets.add_post(ticket_id, chat_id, copied.message_id, copied.ref)
        delivered += 1
    if missed:
        seen = CHANNEL_TITLES.get(channel_of(source[0]), "") if delivered else ""
        note = _missed(ticket_id, name, what, seen)
        await post(messenger, repo, missed, ticket_id, note, buttons.staff_ticket(ticket_id))
    return delivered


async def file_missed(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    ticket_id: int,
    name: str,
    what: str,
) -> None:
    """Staff hear that the asker sent `what` (escaped), which could not be fetched to pass
    on (the asker is told by the adapter). The caller commits."""
    note = _missed(ticket_id, name, what, "")
    targets = await staff_targets(settings, repo)
    await post(messenger, repo, targets, ticket_id, note, buttons.staff_ticket(ticket_id))


def _missed(ticket_id: int, name: str, what: str, seen: str) -> str:
    """What staff are told of an attachment that did not reach them (`seen`: the messenger
    whose staff did get it; "": nobody did, and the asker was told so)."""
    note = t.STAFF_SHOT_MISSED.format(id=ticket_id, name=q(name), what=what)  # `what` escaped
    if seen:
        return note + fill(t.STAFF_SHOT_MISSED_SEEN, channel=seen)
    return note + t.STAFF_SHOT_MISSED_TOLD


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
    targets = await staff_targets(settings, repo)
    pending = list(targets)
    for chat_id in pending:  # grows by the staff, should the staff chat refuse it
        got = await _upload(messenger, repo, ticket_id, chat_id, file, header)
        delivered += got == "sent"
        pending += stand_ins(targets, chat_id, pending) if got == "refused" else []
    return delivered


async def _upload(
    messenger: Messenger, repo: Repositories, ticket_id: int, chat_id: int, file: OutFile,
    header: str,
) -> Literal["sent", "busy", "refused"]:  # fmt: skip
    """One staff chat gets the file (remembered as a post of the ticket)."""
    try:
        sent = await messenger.send_file(chat_id, file, caption=header)
    except (Unreachable, Deferred) as exc:
        log.warning("ticket %s: file not sent to %s: %s", ticket_id, chat_id, exc)
        return "refused" if isinstance(exc, Unreachable) else "busy"
    await repo.tickets.add_post(ticket_id, sent.chat_id, sent.message_id, sent.ref)
    return "sent"


def _header(ticket_id: int, name: str, caption: str) -> str:
    header = fill(t.STAFF_SHOT, id=ticket_id, name=name)
    if caption:
        header += fill(t.STAFF_SHOT_CAPTION, caption=clip(caption, CAPTION_LIMIT - 200))
    return header
