"""The admin's progress message of a broadcast: where it is, and writing into it.

The broadcast's row says where the message is (chat, message id, and MAX's `mid`), so any
process edits it: the bot's, a `worker` of its own, the one after a restart. A message that
had to be sent anew (the author deleted it, MAX no longer edits it, or a row from before its
`mid` was kept) is written back to every row that pointed at the old one, a weekly series'
next occurrence too: the next edit, here or elsewhere, goes to the new message, not anew again.
"""

from __future__ import annotations

import logging
from typing import Literal

from broadcasts.channel import ProgressMessage
from broadcasts.runtime import Runtime
from storage.models import Broadcast

log = logging.getLogger(__name__)
Shown = Literal["edited", "anew", "none"]


def progress_of(broadcast: Broadcast) -> ProgressMessage | None:
    chat_id, message_id = broadcast.progress_chat_id, broadcast.progress_message_id
    if chat_id is None or message_id is None:
        return None
    return ProgressMessage(
        chat_id, message_id, broadcast.progress_mid or None, anew=broadcast.progress_anew
    )


async def show(rt: Runtime, broadcast: Broadcast, text: str) -> Shown:
    """`text` into the broadcast's progress message: "edited" (or tried), "anew" when it went
    as a new message (which makes a sound, as an edit does not), "none" without one."""
    where = progress_of(broadcast)
    if where is None:
        return "none"
    await rt.limiter.acquire(where.chat_id)
    moved = await rt.channel.edit_progress(where, text)
    if moved is not None:
        log.info("broadcast %s: progress message sent anew as %s", broadcast.id, moved)
        async with rt.repos() as repo:
            await repo.broadcasts.move_progress(
                where.chat_id, where.message_id, moved.message_id, moved.ref
            )
            await repo.commit()
        broadcast.progress_message_id, broadcast.progress_mid = moved.message_id, moved.ref
        broadcast.progress_anew = True
        return "anew"
    return "edited"
