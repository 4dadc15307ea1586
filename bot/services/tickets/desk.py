"""Tickets worked outside Telegram's staff chat (the web panel, a MAX admin's private chat):
the same answer, close and FAQ draft as in the staff chat.

An answer goes through `posting.deliver_answer` (so the parent gets exactly what a reply in
the staff chat would give them); a close tells the asker, like «Закрыть» under a post.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot import texts
from bot.core.ids import channel_of
from bot.core.markup import clip, fill, q
from bot.core.messages import Deferred, MessageRef, Messenger, Unreachable
from bot.services.tickets import buttons
from bot.services.tickets.posting import card, deliver_answer
from storage.models import Ticket, TicketMessage, TicketStatus
from storage.repositories import Repositories

log = logging.getLogger(__name__)
# characters typed in the panel; deliver_answer splits what one message cannot hold
ANSWER_LIMIT = 12000
# seconds after «Ответить» in which staff's next plain message is the answer: one typed long
# after (a question to the bot, a note to a colleague) must not reach the parent
ANSWER_WINDOW = 30 * 60
NOTE_LIMIT = 1000  # of the answer quoted to colleagues: enough to see what was said


async def answer(
    messenger: Messenger,
    repo: Repositories,
    ticket_id: int,
    staff: tuple[int, str],
    text: str,
    *,
    staff_chats: Sequence[int] = (),
    seen: int | None = None,
) -> bool | None:
    """Send a staff answer typed on the page (plain text, escaped). None: no such ticket;
    otherwise whether it reached the asker (it is saved either way). The same answer again
    (a double click on «Отправить», a form sent anew, «Назад» and «Отправить» again) is not
    sent twice: the same text among the answers given after the page showed `seen` of them
    (all, when unknown), or as the thread's last message — an earlier «Да.» to an earlier
    question of the ticket is no reason to drop this one. `staff_chats`
    (the staff chat or the admins) see the answer, so nobody there answers the parent again."""
    ticket = await repo.tickets.get(ticket_id)
    if ticket is None:
        return None
    plain = text.strip()
    if _just_given(ticket, plain) or any(
        m.delivered and m.text == plain for m in _answers_since(ticket, seen or 0)
    ):
        return True
    delivered = await deliver_answer(messenger, repo, ticket, staff, q(plain), plain)
    outcome = texts.PANEL_DELIVERED if delivered else texts.PANEL_NOT_DELIVERED
    note = fill(texts.STAFF_PANEL_ANSWER, id=ticket_id, staff=staff[1], outcome=outcome,
                text=clip(plain, NOTE_LIMIT))  # fmt: skip
    await _tell_staff(messenger, staff_chats, note, about=(repo, ticket_id))
    return delivered


def _just_given(ticket: Ticket, plain: str) -> bool:
    """The thread's last message is this very answer, delivered: «Назад» after «Отправить»
    puts the text back in a freshly loaded page (its `seen` counts the answer), and sending it
    again gave the parent the same answer twice. After the parent's next message it is new."""
    last = ticket.messages[-1] if ticket.messages else None
    return last is not None and last.from_staff and last.delivered and last.text == plain


def _answers_since(ticket: Ticket, seen: int) -> list[TicketMessage]:
    """Staff answers after the first `seen` of them (the ones a page showed)."""
    return [m for m in ticket.messages if m.from_staff][seen:]


def answered_meanwhile(ticket: Ticket, seen: int, text: str) -> bool:
    """A staff answer arrived after the page showing `seen` of them was opened (a colleague
    answered in the bot or another tab): sending blindly would give the parent two answers.
    The same text among them is this form sent twice (a double click), not a colleague."""
    newer = _answers_since(ticket, seen)
    return bool(newer) and all(m.text != text.strip() for m in newer)


async def tell_colleagues(
    messenger: Messenger,
    targets: Sequence[int],
    here: int,
    text: str,
    *,
    about: tuple[Repositories, int] | None = None,
) -> None:
    """Without a shared staff chat each admin has the ticket privately: the others hear who
    answered or closed it (`here`, the chat it was done in, is not told again). `about`: the
    note quotes the answer, see `_tell_staff`."""
    chats = [chat for chat in targets if chat != here]
    await _tell_staff(messenger, chats, text, about=about)


async def _tell_staff(
    messenger: Messenger,
    chats: Sequence[int],
    text: str,
    *,
    about: tuple[Repositories, int] | None = None,
) -> None:
    """A note for colleagues; one that cannot be posted now is not worth a retry queue.

    A note quoting an answer (`about`: the repositories and the ticket) is a post about the
    asker's ticket like its card: it is remembered (committed), so /forget_me redacts it too."""
    for chat_id in chats:
        try:
            sent = await messenger.send(chat_id, text)
        except (Unreachable, Deferred) as exc:
            log.info("staff chat %s not told of a panel action: %s", chat_id, exc)
            continue
        if about is not None:
            repo, ticket_id = about
            await repo.tickets.add_post(ticket_id, sent.chat_id, sent.message_id, sent.ref)
    if about is not None:
        await about[0].commit()


async def close(
    messenger: Messenger,
    repo: Repositories,
    ticket_ids: list[int],
    *,
    staff_name: str = "",
    staff_chats: Sequence[int] = (),
) -> int:
    """Close the tickets that are not closed yet and tell each asker and `staff_chats`; how
    many were closed."""
    closed = 0
    for ticket_id in ticket_ids:
        ticket = await repo.tickets.get(ticket_id)
        if ticket is None or not await repo.tickets.set_status(ticket_id, TicketStatus.CLOSED):
            continue
        await repo.commit()  # closed whether or not the asker hears of it
        closed += 1
        try:
            await messenger.send(ticket.chat_id, fill(texts.TICKET_CLOSED_USER, id=ticket_id))
        except (Unreachable, Deferred) as exc:
            log.info("ticket %s closed from the panel; asker not told: %s", ticket_id, exc)
        note = fill(texts.STAFF_PANEL_CLOSED, id=ticket_id, staff=staff_name)
        await _tell_staff(messenger, staff_chats, note)
        await retire_cards(messenger, repo, ticket_id, staff_name)
    return closed


async def retire_cards(messenger: Messenger, repo: Repositories, ticket_id: int, who: str) -> None:
    """A ticket just closed (by `who`): its cards in both messengers show it closed, and they
    and its follow-up notes (their text kept) lose «Ответить» / «Закрыть» — a MAX card is
    each staffer's own, as a Telegram one is without a staff chat, and a card or note left as
    it was kept inviting an answer to a closed ticket."""
    ticket = await repo.tickets.get(ticket_id)
    if ticket is None:
        return
    hint = texts.STAFF_TICKET_CLOSED.format(id=ticket_id, staff=who)  # plain: the card escapes
    worded = await card(repo, ticket, ticket.user, hint=hint)
    for chat_id, message_id, ref in await repo.tickets.cards(ticket_id):
        await _retire(messenger, ticket_id, MessageRef(chat_id, message_id, ref), worded)
    for chat_id, message_id, ref in await repo.tickets.notes(ticket_id):
        await _retire(messenger, ticket_id, MessageRef(chat_id, message_id, ref), None)


def stale_notice(ticket_id: int, action: str) -> str:
    """What «Закрыть» or «Ответить» on a closed ticket's card says, in either messenger."""
    already = texts.STAFF_ALREADY_CLOSED if action == "close" else texts.STAFF_CLOSED_NO_REPLY
    return fill(already, id=ticket_id)


async def retire_stale(
    messenger: Messenger, repo: Repositories, ticket: Ticket, where: MessageRef
) -> None:
    """A card or note of a closed ticket still pressed or replied to (posted before closing
    retired them, or its edit failed then): retired now, the card saying it is closed."""
    post = (where.chat_id, where.message_id)
    if post in {(chat, message) for chat, message, _ in await repo.tickets.cards(ticket.id)}:
        hint = texts.STAFF_ALREADY_CLOSED.format(id=ticket.id)
        worded = await card(repo, ticket, ticket.user, hint=hint)
        await _retire(messenger, ticket.id, where, worded)
    elif post in {(chat, message) for chat, message, _ in await repo.tickets.notes(ticket.id)}:
        await _retire(messenger, ticket.id, where, None)


async def _retire(
    messenger: Messenger, ticket_id: int, where: MessageRef, worded: dict[str, str] | None
) -> None:
    """One card rewritten in its messenger's wording (`worded`), or one note's buttons alone."""
    kept = buttons.closed_ticket(ticket_id)
    try:
        if worded is None:
            await messenger.set_buttons(where, kept)
        else:
            await messenger.edit(where, worded[channel_of(where.chat_id)], kept)
    except (Unreachable, Deferred) as exc:  # deleted by its staffer, or the messenger busy
        log.info(
            "ticket %s post %s/%s not retired: %s", ticket_id, where.chat_id, where.message_id, exc
        )


async def save_draft(repo: Repositories, ticket_id: int, staff_id: int) -> int | None:
    """«В черновики FAQ»: the question and the latest staff answer become a draft (its id,
    committed); None while nobody has answered, as there is nothing to propose yet."""
    ticket = await repo.tickets.get(ticket_id)
    answers = [m for m in ticket.messages if m.from_staff] if ticket else []
    if ticket is None or not answers:
        return None
    draft = await repo.faq_log.add_draft(ticket.id, ticket.question, answers[-1].text, staff_id)
    await repo.commit()
    return draft.id


def wait_over(asked_at: float, now: datetime) -> bool:
    """«Ответить» pressed at `asked_at` (epoch seconds) is past ANSWER_WINDOW: the staffer's
    next message is no longer the answer (both messengers keep the time in their state)."""
    return now.timestamp() - asked_at > ANSWER_WINDOW


def reply_pressed_again(waiting: int | None, ticket_id: int) -> str | None:
    """«Ответить» on the ticket whose answer this staffer's next message already is (a double
    tap, or a second press while the prompt is still on screen): a notice on the button
    instead of a second prompt. None: a new wait (no wait yet, or one for another ticket)."""
    return fill(texts.STAFF_REPLY_WAITING, id=ticket_id) if waiting == ticket_id else None
