"""A reply (the messenger's own «Ответить» on a message) to one of the bot's messages about a
ticket: the specialist's answer, «Передал ваш вопрос… №12», «Добавил это к обращению №12».

A parent who replies to the specialist's answer is talking to the specialist: the message
goes to that ticket (reopened, as «Задать уточняющий вопрос» reopens it), not to the FAQ,
which answered «спасибо, а справку от какого врача?» with an article about booking a doctor.
The messages name their ticket («обращение №12»), so the quote is enough to find it; only the
asker's own ticket counts. A plain «спасибо» in reply is thanks, not a new question: it is
left to the usual path and reopens nothing.
"""

from __future__ import annotations

import re
from typing import Final

from bot.services.faq.thanks import plain_thanks
from storage.models import Ticket, TicketStatus, User
from storage.repositories import Repositories

# «на обращение №12», «Номер обращения: №12», «к обращению <b>№12</b>»: the first line names it
NAMED: Final = re.compile(r"обращени[а-яё]*:?\s*№\s*(\d{1,9})", re.IGNORECASE)
TAG: Final = re.compile(r"<[^>]*>")


def named_ticket(quoted: str) -> int | None:
    """The ticket number the first line of a quoted bot message names, if any."""
    first = TAG.sub("", quoted).strip().split("\n", 1)[0]
    found = NAMED.search(first)
    return int(found.group(1)) if found else None


async def reopened_by_reply(
    repo: Repositories, user_id: int, quoted: str, text: str
) -> Ticket | None:
    """The asker's ticket the quoted bot message names, open again for `text` to join it;
    None when the quote names no ticket of theirs or `text` is a plain thanks."""
    number = named_ticket(quoted)
    if number is None or plain_thanks(text):
        return None
    ticket = await repo.tickets.get(number)
    if ticket is None or ticket.user_id != user_id:
        return None
    if ticket.status != TicketStatus.OPEN:
        await repo.tickets.reopen(ticket.id)
        await repo.commit()
    return ticket


async def awaiting_clarification(repo: Repositories, user: User) -> Ticket | None:
    """The open ticket the asker pressed «Задать уточняющий вопрос» under, with nothing from
    them since (a specialist spoke last, yet it is open: only that press or a reply reopens an
    answered ticket, and a reply joins it at once). The prompt promised «он попадёт в
    обращение №N»: what they write next goes there, even a question the FAQ knows."""
    if user.has_open_ticket is False:  # known from the user's own query
        return None
    ticket = await repo.tickets.open_for_user(user.id)
    if ticket is None:
        return None
    last = await repo.tickets.last_message(ticket.id)
    return ticket if last is not None and last.from_staff else None
