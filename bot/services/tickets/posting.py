"""Ticket service: posting questions to МОЦ staff and delivering their answers back.

Handlers of both sides call these; each function leaves committing to its caller, except
where a Telegram send sits between two writes (then the ticket is saved first, so a failed
send never loses the question).

The staff chat is a group: Telegram takes 20 messages a minute there. So an asker's message
is marked `delivered` only once staff saw it: a new ticket is posted at once if the chat has
room within STAFF_POST_WAIT_SECONDS, otherwise it stays undelivered and
`bot.services.tickets.relay`
posts it as soon as the chat allows; follow-ups always go through the relay, several of one
ticket batched into one post, so one talkative asker cannot crowd out the next ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Literal, Protocol

from bot import texts
from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import MESSAGE_LIMIT, clip, fill, q, split_message, visible_len
from bot.core.messages import Deferred, Keyboard, MessageRef, Messenger, Unreachable, patience
from bot.services.staff.roster import Roster
from bot.services.tickets import buttons
from storage.models import Ticket, TicketStatus, User
from storage.repositories import Repositories

log = logging.getLogger(__name__)
POST_BODY_LIMIT = 3500  # the staff post has a header; Telegram's limit is 4096
# posted: staff see it now; queued: the relay posts it when the staff chat allows;
# nowhere: no STAFF_CHAT_ID and no ADMIN_IDS to post to
CHANNEL_NAMES = {"tg": "Telegram", "max": "MAX"}
Reach = Literal["posted", "queued", "nowhere", "already"]  # already: that very question


class StaffNotes(Protocol):
    """When a staffer is told (again) why a ticket came privately: the staff chat refuses
    (bot.services.chats.room_notes.RoomNotes)."""

    async def due(self, staffer: int) -> bool: ...


class StaffTargets(list[int]):
    """`staff_targets`' list; `room`: the Telegram staff chat among them, `instead`: the
    Telegram staff, who get privately what that chat refuses (`post`); `notes`: when each
    of them is told why (None: above every such post)."""

    room: int | None = None
    instead: tuple[int, ...] = ()
    notes: StaffNotes | None = None


def stand_ins(targets: Sequence[int], refused: int, pending: Collection[int]) -> list[int]:
    """Who gets privately what chat `refused` would not take: the Telegram staff when it is
    the staff chat (`StaffTargets.room`), none of those already on the way."""
    if not isinstance(targets, StaffTargets) or refused != targets.room:
        return []
    return [i for i in targets.instead if i not in pending]


def refused_note(reason: str) -> str:
    """The line above a post the staff chat refused: why, in staff's words."""
    closed = "topic_closed" in reason.lower()
    why = texts.STAFF_ROOM_TOPIC_CLOSED if closed else texts.STAFF_ROOM_NO_RIGHTS
    return fill(texts.STAFF_ROOM_REFUSED, why=why)


async def staff_targets(
    settings: Settings, repo: Repositories, notes: StaffNotes | None = None
) -> list[int]:
    """Where tickets go, in every messenger the bot runs in: staff in Telegram read the staff
    group when there is one, otherwise each gets the ticket privately; staff in MAX have no
    group, so each always gets it privately — a MAX-only staffer saw no ticket at all while
    Telegram had a staff chat (or, without one, while Telegram ran). Staff: the owners
    (ADMIN_IDS, MAX_ADMIN_IDS by their internal ids) and everyone invited, each once.

    Computed once per new ticket and passed along (`post`): each call reads the database.
    `notes`: the process's (Services.room_notes), for those that post tickets."""
    running = {"tg"} if settings.bot_token is not None else {"max"}  # no Telegram: MAX only
    running |= {"max"} if settings.max_bot_token is not None else set()
    found = [await repo.channel_ids.find("max", "user", i) for i in settings.max_admin_ids]
    owners = {*settings.admin_ids, *(i for i in found if i is not None)}
    invited = {m.person_id for m in await repo.staff.members()}
    people = sorted(i for i in owners | invited if channel_of(i) in running)
    if settings.staff_chat_id is None or "tg" not in running:
        return people
    targets = StaffTargets(
        [settings.staff_chat_id, *(i for i in people if channel_of(i) == "max")]
    )
    targets.room = settings.staff_chat_id
    targets.instead = tuple(i for i in people if channel_of(i) == "tg")
    targets.notes = notes
    return targets


async def is_staff(roster: Roster, repo: Repositories, user_id: int, chat_id: int) -> bool:
    """Staff anywhere; anyone inside the staff group (it is private to staff)."""
    staff_chat = roster.settings.staff_chat_id
    return (staff_chat is not None and chat_id == staff_chat) or await roster.is_staff(
        user_id, repo
    )


def ticket_card(
    ticket: Ticket,
    user: User | None,
    own_id: int | None = None,
    *,
    staff_in_max: bool = False,
    body: str | None = None,
    hint: str | None = None,
) -> str:
    """The staff post of a new ticket; `own_id`: the asker's id in their messenger (a MAX
    person's internal id means nothing to staff), see `card`; `staff_in_max`: the posts go
    to MAX admins, who answer with «Ответить» (a MAX reply to the post is not an answer);
    `body`: what of the question it shows (all of it, clipped, by default); `hint`: the last
    line (plain text) instead of how to answer (a closed ticket's card says who closed it)."""
    if hint is None:
        hint = texts.STAFF_TICKET_HINT_MAX if staff_in_max else texts.STAFF_TICKET_HINT
    return fill(
        texts.STAFF_TICKET,
        hint=hint,
        id=ticket.id,
        status=texts.STAFF_STATUS.get(ticket.status, ticket.status),
        name=user.full_name if user else "удалённый пользователь",
        username=f" (@{user.username})" if user and user.username else "",
        role=texts.ROLE_TITLES.get(user.role or "", "роль не выбрана") if user else "—",
        user_id=own_id if own_id is not None else ticket.user_id,
        channel=CHANNEL_NAMES[channel_of(ticket.user_id)],  # where the answer will go
        body=clip(ticket.question if body is None else body, POST_BODY_LIMIT),
    )


def question_parts(ticket: Ticket) -> list[str]:
    """The question in pieces a staff post holds: one for most, more for a long message
    (a message the messenger split, joined again by `split.whole_message`)."""
    return split_message(ticket.question, POST_BODY_LIMIT - 100) or [ticket.question]


def continuation(ticket: Ticket) -> list[str]:
    """The posts after the card for what of a long question it could not hold: staff read
    the whole question in their chat, not its first 3500 characters."""
    parts = question_parts(ticket)
    return [
        fill(texts.STAFF_TICKET_MORE, id=ticket.id, n=n, total=len(parts), text=part)
        for n, part in enumerate(parts[1:], start=2)
    ]


async def card(
    repo: Repositories, ticket: Ticket, user: User | None, *, hint: str | None = None
) -> dict[str, str]:
    """`ticket_card` with the asker's own id in their messenger (MAX's user id), worded for
    each messenger staff read it in (a Telegram reply to it answers, a MAX reply does not):
    the text by channel, as `post` takes it."""
    own = await repo.channel_ids.external(ticket.user_id)
    parts = question_parts(ticket)
    body = parts[0] + texts.STAFF_TICKET_CONTINUED if len(parts) > 1 else None
    return {
        channel: ticket_card(
            ticket, user, own, staff_in_max=channel == "max", body=body, hint=hint
        )
        for channel in CHANNEL_NAMES
    }


async def post_continuation(
    messenger: Messenger,
    repo: Repositories,
    targets: Sequence[int],
    ticket: Ticket,
    skip: Collection[int],
) -> None:
    """The rest of a long question after its card, in the chats that just got the card."""
    for more in continuation(ticket):
        await post(messenger, repo, targets, ticket.id, more, None, skip=skip)


async def post(
    messenger: Messenger,
    repo: Repositories,
    targets: Sequence[int],
    ticket_id: int,
    text: str | Mapping[str, str],
    keyboard: Keyboard | None,
    *,
    skip: Collection[int] = (),
    busy: list[int] | None = None,
    card: bool = False,
    note: bool = False,
) -> int:
    """Send `text` (one, or one per channel: `card`) to every staff target (`staff_targets`)
    but `skip` and remember each post (`card`: as the ticket's card, which closing rewrites;
    `note`: a follow-up under its buttons, which closing takes away); returns how many
    arrived. A target too busy to take it now goes into `busy` (to be posted later), one that
    refused for good does not: a blocked admin is not retried forever. What the Telegram staff
    chat refuses (a forum whose «General» staff closed, the bot removed) goes to each
    Telegram staffer privately, saying why (once an hour each, `StaffTargets.notes`): staff
    would otherwise not see it at all."""
    delivered, pending, above = 0, list(targets), dict[int, str]()
    for chat_id in pending:  # grows by the stand-ins of a staff chat that refused
        if chat_id in skip:
            continue
        worded = text if isinstance(text, str) else text[channel_of(chat_id)]
        try:
            sent = await messenger.send(chat_id, above.get(chat_id, "") + worded, keyboard)
        except Unreachable as exc:
            log.warning("ticket %s: staff chat %s unreachable: %s", ticket_id, chat_id, exc)
            instead = stand_ins(targets, chat_id, {*pending, *skip})
            above |= await why_private(targets, instead, exc.reason)
            pending += instead
            continue
        except Deferred:
            log.info("ticket %s: staff chat %s busy, the post waits", ticket_id, chat_id)
            if busy is not None:
                busy.append(chat_id)
            continue
        await repo.tickets.add_post(
            ticket_id, sent.chat_id, sent.message_id, sent.ref, card=card, note=note
        )
        delivered += 1
    if delivered == 0 and not skip:
        log.error("ticket %s reached no staff chat; set STAFF_CHAT_ID or ADMIN_IDS", ticket_id)
    return delivered


async def why_private(targets: Sequence[int], staff: list[int], reason: str) -> dict[int, str]:
    """The line above the post for those of `staff` due to hear why it came privately."""
    notes = targets.notes if isinstance(targets, StaffTargets) else None
    due = [i for i in staff if notes is None or await notes.due(i)]
    return dict.fromkeys(due, refused_note(reason))


async def open_ticket(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    user: User,
    chat_id: int,
    question: str,
    notes: StaffNotes | None = None,
) -> tuple[Ticket, bool, Reach]:
    """Create a ticket (or add to the open one); returns (ticket, appended, how staff see it);
    `notes`: see `staff_targets`."""
    existing = await repo.tickets.open_for_user(user.id)
    targets = await staff_targets(settings, repo, notes)
    if existing is not None and existing.question == question:  # «Спросить» tapped twice
        return existing, True, "already" if targets else "nowhere"
    if existing is not None:
        reach = await add_follow_up(messenger, repo, settings, existing, user, question)
        return existing, True, reach
    # the person asked a specialist: the one answering sees who asked (UserRepo.touch)
    await repo.users.keep_name(user)
    if not targets:
        ticket = await repo.tickets.create(user.id, chat_id, question)
        await repo.commit()
        log.error("ticket %s reached no staff chat; set STAFF_CHAT_ID or ADMIN_IDS", ticket.id)
        return ticket, False, "nowhere"
    ticket = await repo.tickets.create(user.id, chat_id, question)  # claimed: delivered
    await repo.commit()
    busy: list[int] = []
    with patience(settings.staff_post_wait_seconds):
        reached = await post(
            messenger, repo, targets, ticket.id, await card(repo, ticket, user),
            buttons.staff_ticket(ticket.id), busy=busy, card=True,
        )  # fmt: skip
        if reached:
            await post_continuation(messenger, repo, targets, ticket, busy)
    if not reached or busy:  # the relay posts it where it could not go now, when it can
        await repo.tickets.mark_unseen(ticket.id)
    await repo.commit()
    return ticket, False, "posted" if reached else "queued"


async def add_follow_up(
    messenger: Messenger,
    repo: Repositories,
    settings: Settings,
    ticket: Ticket,
    user: User,
    text: str,
) -> Reach:
    """Saved at once; staff get it from the relay, batched with the asker's other follow-ups."""
    await repo.tickets.add_message(ticket, user.id, text, from_staff=False, delivered=False)
    await repo.commit()
    return "queued" if await staff_targets(settings, repo) else "nowhere"


def follow_up_notes(ticket: Ticket, name: str, texts_: list[str]) -> list[str]:
    """The asker's follow-ups as staff notes, as many as they take: a long paste (or several
    batched together) is read whole in the staff chat, not cut at one post's length."""
    body = "\n\n".join(texts_)
    parts = split_message(body, POST_BODY_LIMIT) or [body]
    return [fill(texts.STAFF_FOLLOW_UP, id=ticket.id, name=name, text=part) for part in parts]


async def send_answer(messenger: Messenger, ticket: Ticket, html_text: str, plain: str) -> None:
    """The answer in the asker's chat, «Вопрос решён» under its last part (none once closed).

    Formatting is kept when it fits one message (counted as Telegram counts: the text its
    markup shows, not the tags); a longer answer goes as plain-text parts."""
    text = texts.TICKET_ANSWER.format(id=ticket.id, text=html_text)
    parts = (
        [text]
        if visible_len(text) <= MESSAGE_LIMIT
        else [
            texts.TICKET_ANSWER.format(id=ticket.id, text=""),
            *(q(part) for part in split_message(plain, MESSAGE_LIMIT - 100)),
        ]
    )
    closed = ticket.status == TicketStatus.CLOSED
    for index, part in enumerate(parts, start=1):
        last = index == len(parts)
        keyboard = buttons.user_ticket_answered(ticket.id) if last and not closed else None
        await messenger.send(ticket.chat_id, part, keyboard)


async def deliver_answer(
    messenger: Messenger,
    repo: Repositories,
    ticket: Ticket,
    staff: tuple[int, str],
    html_text: str,
    plain: str,
) -> bool:
    """Send a staff answer to the asker; the answer is saved whether or not it arrives
    (undelivered, it waits for the asker's return: `bot.services.tickets.missed`)."""
    delivered = True
    try:
        await send_answer(messenger, ticket, html_text, plain)
    except Unreachable as exc:
        delivered = False
        if exc.gone:
            await repo.users.set_active(ticket.user_id, False)
        else:
            log.warning("ticket %s: answer not delivered: %s", ticket.id, exc.reason)
    await repo.tickets.add_message(ticket, staff[0], plain, from_staff=True, delivered=delivered)
    if ticket.status == TicketStatus.OPEN:
        await repo.tickets.mark_answered(ticket, *staff)
    await repo.commit()
    return delivered


async def redact_posts(messenger: Messenger, posts: list[tuple[int, int, int, str]]) -> None:
    """/forget_me: the bot's own posts about the user's tickets lose name, id and question.
    Staff messages cannot be edited by the bot; the posts can, whatever their age (a MAX post
    by its stored `mid`, `ref`). A picture the person sent (a screenshot, a copied or uploaded
    file) has no text to edit in Telegram: it is deleted instead."""
    for ticket_id, chat_id, message_id, ref in posts:
        where = MessageRef(chat_id, message_id, ref)
        try:
            await messenger.edit(where, fill(texts.STAFF_TICKET_FORGOTTEN, id=ticket_id))
            continue
        except (Unreachable, Deferred) as exc:  # a picture, deleted by staff, the chat gone
            log.info("ticket %s post %s/%s not edited: %s", ticket_id, chat_id, message_id, exc)
        try:
            await messenger.delete(where)
        except (Unreachable, Deferred) as exc:  # older than Telegram's 48 hours, or gone
            log.warning(
                "ticket %s post %s/%s not removed: %s", ticket_id, chat_id, message_id, exc
            )
