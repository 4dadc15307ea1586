"""A question handed to a human, and what the asker is told about it.

Every messenger's adapter calls these when a person asks for a specialist (typed after
«Спросить специалиста», or the button under an answer the FAQ could not give). The reply
says only what is true: «передал» once staff have the post, «передам» while the staff chat is
throttled, the phone number when no staff chat is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot import texts
from bot.core.config import Settings
from bot.core.markup import fill, fill_region
from bot.core.messages import Keyboard, Messenger
from bot.services.faq.querylog import QueryLog
from bot.services.tickets import buttons
from bot.services.tickets.posting import StaffNotes, open_ticket
from bot.services.tickets.split import whole_message
from storage.models import User
from storage.repositories import Repositories

# an answer sent before answers were recorded was sent right after its question was logged;
# Telegram dates a message to the whole second, and the bot's clock and the messenger's may
# differ a little
ANSWER_SECONDS: Final = 3.0


@dataclass(frozen=True)
class Escalated:
    """What to tell the asker, with «Отозвать обращение» under it: a question sent by
    mistake can be taken back at once, not only after writing more."""

    text: str
    buttons: Keyboard


async def escalate(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    user: User,
    chat_id: int,
    question: str,
    notes: StaffNotes | None = None,
) -> Escalated:
    """Open a ticket (or add to the open one); returns what to tell the asker; `notes`: see
    `posting.staff_targets`."""
    asked = (chat_id, question)
    ticket, appended, reach = await open_ticket(messenger, repo, settings, user, *asked, notes)
    withdraw = buttons.user_ticket_open(ticket.id)
    if reach == "already":  # nothing added: the open ticket is this very question
        return Escalated(fill(texts.TICKET_SAME_OPEN, id=ticket.id), withdraw)
    if reach == "nowhere":
        phone = settings.moc_phone
        return Escalated(fill_region(texts.TICKET_NO_STAFF, id=ticket.id, phone=phone), withdraw)
    hours = settings.moc_hours
    if reach == "queued" and not appended:  # «передал» only when staff really have it
        return Escalated(fill_region(texts.TICKET_QUEUED, id=ticket.id, hours=hours), withdraw)
    template = texts.TICKET_ALREADY_OPEN if appended else texts.TICKET_CREATED
    return Escalated(fill_region(template, id=ticket.id, hours=hours), withdraw)


@dataclass(frozen=True)
class Logged:
    """A logged question the asker pressed «Спросить специалиста» under."""

    text: str
    picture: int | None  # the message id of a screenshot it came with
    caption: str


async def logged_question(
    repo: Repositories, query_id: int, user_id: int, querylog: QueryLog | None = None
) -> Logged | None:
    """The question behind the button, if it is this person's (a forged id finds nothing),
    with the other parts of a message the messenger split (`split.whole_message`; the
    `querylog`'s waiting rows are written first, so an answered part is among them)."""
    logged = await repo.faq_log.get(query_id) if query_id else None
    if logged is None or logged.user_id != user_id:
        return None
    if querylog is not None:
        await querylog.flush()
    caption = "" if logged.outcome == "media" else logged.text
    return Logged(await whole_message(repo, logged), logged.message_id, caption)


async def answered_question(
    repo: Repositories,
    user_id: int,
    answer_id: int | None,
    sent_at: datetime | None,
    querylog: QueryLog,
) -> Logged | None:
    """The question the direct answer `answer_id` (the message the button is under) replied
    to, for «Спросить специалиста» under it: that answer's buttons are the entry's cached ones
    («ask anew»), so the row is found by the answer it records (`consult.deliver`); a row
    logged before answers were recorded, by the answer's send time `sent_at`. None under an
    entry opened from the topics, an old message, or a row lost in a restart: the adapter
    asks anew. A photo or file the question was the caption of goes to staff too."""
    await querylog.flush()
    row = await repo.faq_log.answered_by(user_id, answer_id) if answer_id else None
    if row is None and sent_at is not None:
        row = await repo.faq_log.answered_near(user_id, sent_at, ANSWER_SECONDS)
    if row is None:
        return None
    return Logged(await whole_message(repo, row), row.message_id, row.text)
