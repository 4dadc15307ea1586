"""A plain «спасибо» after a specialist's answer: thanked, not added to the ticket.

Both messengers' follow-up handlers ask this before adding a message to the open ticket
(after «Задать уточняющий вопрос» the answered ticket is open again): a thanks there is no
question for staff and would only ping them. A thumbs-up or folded hands sent alone is a
thanks too: parents answer so as often as with words.
"""

from __future__ import annotations

from bot.services.faq.thanks import plain_thanks
from storage.models import Ticket, TicketStatus
from storage.repositories import Repositories


async def thanked_after_answer(repo: Repositories, ticket: Ticket, text: str) -> bool:
    """True when `text` is a plain thanks and a specialist spoke last: the adapter thanks
    the asker instead of adding it, and a ticket reopened by «Задать уточняющий вопрос» with
    nothing asked since goes back to answered (it would wait in the open list for nothing).
    With a question still waiting for staff, the thanks joins the ticket as any message."""
    if not plain_thanks(text):
        return False
    last = await repo.tickets.last_message(ticket.id)
    if last is None or not last.from_staff:
        return False
    await repo.tickets.set_status(ticket.id, TicketStatus.ANSWERED)
    await repo.commit()
    return True
