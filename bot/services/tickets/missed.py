"""Staff answers an asker missed while they had blocked the bot, handed over when they return.

Staff are told «Ответ сохранён в обращении» when an answer cannot be delivered; the asker who
unblocks the bot and presses «Начать» (/start) gets those answers then, oldest first, each
once (the row is marked delivered as it goes).
"""

from __future__ import annotations

import logging

from bot.core.markup import q
from bot.core.messages import Deferred, Messenger, Unreachable
from bot.services.tickets.posting import send_answer
from storage.repositories import Repositories

log = logging.getLogger(__name__)


async def deliver_missed(messenger: Messenger, repo: Repositories, user_id: int) -> int:
    """Send `user_id` the staff answers they missed; how many arrived. Commits each."""
    sent = 0
    for message in await repo.tickets.undelivered_answers(user_id):
        try:
            await send_answer(messenger, message.ticket, q(message.text), message.text)
        except (Unreachable, Deferred) as exc:  # still away: the rest waits for next time
            log.info("ticket %s: missed answer not delivered: %s", message.ticket_id, exc)
            break
        await repo.tickets.claim_seen([message.id])
        await repo.commit()
        sent += 1
    return sent
