"""A follow-up to a waiting ticket: while a ticket waits for staff, what the asker writes
joins it instead of being answered from the FAQ. Used by the FAQ catch-all (handlers.faq);
the ticket itself is opened by handlers.escalation."""

from __future__ import annotations

from aiogram.types import Message

from bot import texts
from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import Switchboard
from bot.services.faq.attachments import Kind, untitled
from bot.services.tickets.media import copy_to_staff
from bot.services.tickets.posting import add_follow_up, staff_targets
from bot.services.tickets.replied import awaiting_clarification, reopened_by_reply
from bot.services.tickets.thanks import thanked_after_answer
from handlers.tg import keyboards, shots
from handlers.tg.messenger import TelegramMessenger, people
from storage.models import Ticket, User
from storage.repositories import Repositories


def attachment_kind(message: Message) -> Kind:
    """A Telegram photo is a picture; a document (a PDF, a scan sent as a file) is a file."""
    return "picture" if message.photo else "file"


async def append_to_ticket(
    message: Message,
    repo: Repositories,
    settings: Settings,
    user: User,
    text: str,
    shot: Kind | None = None,
    board: Switchboard | None = None,
    ticket: Ticket | None = None,
) -> int:
    """While a ticket waits for staff, what the asker writes joins it (the ticket's id if it
    did, else 0); with `shot` (a picture or a file), the attachment is copied to staff too.
    `ticket`: the one the message replied to (`replied_to_ticket`), else the open one."""
    if ticket is None and user.has_open_ticket is False:  # known from the user's own query
        return 0
    ticket = ticket or await repo.tickets.open_for_user(user.id)
    if ticket is None:
        return 0
    if not shot and await thanked_after_answer(repo, ticket, text):
        await message.answer(texts.TICKET_THANKS)  # «спасибо» after the answer: no staff ping
        return ticket.id
    assert message.bot is not None
    await add_follow_up(
        TelegramMessenger(message.bot),
        repo,
        settings,
        ticket,
        user,
        text or untitled(shot or "picture"),
    )
    # the asker hears first: the copy may wait for a slot in a busy staff chat
    await message.answer(
        fill(texts.TICKET_APPENDED, id=ticket.id),
        reply_markup=keyboards.user_ticket_open(ticket.id),
    )
    if shot:
        await album_part_to_ticket(message, repo, settings, user, ticket.id, board, text)
    return ticket.id


async def album_part_to_ticket(
    message: Message,
    repo: Repositories,
    settings: Settings,
    user: User,
    ticket_id: int,
    board: Switchboard | None = None,
    caption: str = "",
) -> None:
    """The message's picture or file beside ticket `ticket_id` for every staff chat (a later
    part of an album follows its first part there without a word to the asker)."""
    assert message.bot is not None
    source = (message.chat.id, message.message_id)
    shot = shots.shot_of(message)
    fetch = shots.fetcher(message.bot, shot)  # for MAX staff
    caption = caption or (message.caption or "").strip()
    delivered = await copy_to_staff(
        people(message.bot, board), repo, settings, ticket_id, user.full_name, source, caption,
        fetch=fetch, what=shots.what_of(shot),
    )  # fmt: skip
    await repo.commit()
    if not delivered and await staff_targets(settings, repo):  # too big for MAX staff
        await message.answer(shots.not_passed(shots.shot_of(message)))


async def replied_to_ticket(
    message: Message,
    repo: Repositories,
    settings: Settings,
    user: User,
    text: str,
    shot: Kind | None = None,
    board: Switchboard | None = None,
) -> int:
    """A reply to the bot's message about the asker's ticket (the specialist's answer above
    all) joins that ticket, reopened, whatever the FAQ would say to it (its id if it did);
    so does the message after «Задать уточняющий вопрос» (`awaiting_clarification`)."""
    quoted = message.reply_to_message
    ticket = None
    if quoted is not None and quoted.from_user is not None and quoted.from_user.is_bot:
        said = quoted.text or quoted.caption or ""
        ticket = await reopened_by_reply(repo, user.id, said, text)
    ticket = ticket or await awaiting_clarification(repo, user)
    if ticket is None:
        return 0
    return await append_to_ticket(message, repo, settings, user, text, shot, board, ticket)
