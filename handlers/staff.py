"""МОЦ staff side of tickets: replying (Telegram reply or «Ответить»), closing, FAQ drafts.

Staff (the roster: owners and invited staff) anywhere, and anyone in STAFF_CHAT_ID. Every
action is checked here on the server, so a forged button from another chat does nothing.

«Ответить» in a group: a selective ForceReply opens the reply box only for users the prompt
mentions, so the prompt mentions the staffer who pressed; and since a client may still not
show the box, their next plain message in that chat (within desk.ANSWER_WINDOW) is the answer too.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Final

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message
from aiohttp import ClientError

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import clip, fill
from bot.core.messages import (
    Deferred,
    MessageRef,
    Messenger,
    OutFile,
    Switchboard,
    Unreachable,
)
from bot.services.staff.roster import Roster
from bot.services.tickets import desk
from bot.services.tickets.posting import deliver_answer, is_staff, staff_targets
from handlers.tg.callbacks import TicketCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.filters import NOT_COMMAND
from handlers.tg.messenger import people
from storage.models import Ticket, TicketStatus
from storage.repositories import Repositories

# what an answer may be: the text, and a picture or a file that follows it to the asker
ANSWER_CONTENT: Final = frozenset({ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT})
ALBUM: Final = "answered_album"  # in the staffer's data: [media_group_id, ticket id, delivered]
TICKET_POST = re.compile(r"📨 Обращение №\d+")  # texts.STAFF_TICKET_* as Telegram shows them


class StaffAnswer(StatesGroup):
    """After «Ответить»: per staffer and chat, the ticket their next message answers."""

    text = State()


def _staff_name(query_or_message: CallbackQuery | Message) -> str:
    user = query_or_message.from_user
    return user.full_name if user else "сотрудник"


def _reply_prompt(query: CallbackQuery, ticket_id: int) -> str:
    """An @username is a mention in every client; a link by id is the fallback (a user's
    privacy settings may show it as plain text, hence the plain-message answer too)."""
    user = query.from_user
    if user.username:
        return fill(texts.STAFF_REPLY_PROMPT_AT, id=ticket_id, username=user.username)
    return fill(texts.STAFF_REPLY_PROMPT, id=ticket_id, user_id=user.id, staff=user.full_name)


async def staff_reply(
    message: Message,
    repo: Repositories,
    roster: Roster,
    bot: Bot,
    state: FSMContext,
    settings: Settings,
    messenger: Switchboard | None = None,
) -> None:
    """A reply to a ticket post (or to the «Ответить» prompt) is the answer to that ticket."""
    assert message.reply_to_message is not None
    user = message.from_user
    if user is None or not await is_staff(roster, repo, user.id, message.chat.id):
        raise SkipHandler
    replied = message.reply_to_message
    ticket = await repo.tickets.by_post(message.chat.id, replied.message_id)
    if ticket is None:
        if _ticket_post(replied, bot):  # its author deleted their data: it has no ticket now
            await message.reply(texts.STAFF_TICKET_GONE)
            return
        raise SkipHandler  # a reply to a colleague is conversation
    if ticket.status == TicketStatus.CLOSED:  # a reply to an old card: nothing to the asker
        await message.reply(fill(texts.STAFF_CLOSED_NO_REPLY, id=ticket.id))
        where = MessageRef(message.chat.id, replied.message_id)
        await desk.retire_stale(people(bot, messenger), repo, ticket, where)
        return
    answered = await _deliver(message, bot, repo, people(bot, messenger), ticket, settings, state)
    if answered and await state.get_state() is not None:
        await _end_wait(state)  # answered through the reply box: the «Ответить» wait is over


def _ticket_post(message: Message, bot: Bot) -> bool:
    """The bot's own post about a ticket («📨 Обращение №…»), e.g. one redacted by /forget_me."""
    author = message.from_user
    own = author is not None and author.id == bot.id
    return own and TICKET_POST.match(message.text or "") is not None


async def answer_typed(
    message: Message,
    repo: Repositories,
    roster: Roster,
    bot: Bot,
    state: FSMContext,
    clock: Clock,
    settings: Settings,
    messenger: Switchboard | None = None,
) -> None:
    """The staffer's next plain message after «Ответить» answers the ticket — unless they
    were removed from staff meanwhile: then it goes nowhere, and they hear why."""
    if message.reply_to_message is not None:
        raise SkipHandler  # a reply to a colleague is conversation, not the answer
    data = await state.get_data()
    if desk.wait_over(float(data.get("asked_at", 0)), clock.now()):
        await state.clear()
        raise SkipHandler  # forgotten long ago: this message is about something else
    assert message.from_user is not None  # a state is kept per user
    if not await is_staff(roster, repo, message.from_user.id, message.chat.id):
        await state.clear()
        await message.reply(texts.STAFF_ANSWER_NOT_STAFF)
        return
    ticket = await repo.tickets.get(int(data.get("ticket", 0)))
    if ticket is None:
        await state.clear()
        await message.reply(texts.STAFF_TICKET_GONE)
        return
    if ticket.status == TicketStatus.CLOSED:  # a colleague or the asker closed it meanwhile
        await state.clear()
        await message.reply(fill(texts.STAFF_CLOSED_NO_REPLY, id=ticket.id))
        return
    if await _deliver(message, bot, repo, people(bot, messenger), ticket, settings, state):
        await _end_wait(state)


async def _deliver(
    message: Message,
    bot: Bot,
    repo: Repositories,
    to_asker: Messenger,
    ticket: Ticket,
    settings: Settings,
    state: FSMContext,
) -> bool:
    """Send the staffer's message to the asker (in whichever messenger they asked); False
    (and a note) when it is neither text nor a picture or a file. Admins who got the ticket
    privately hear of it."""
    assert message.from_user is not None
    if message.content_type not in ANSWER_CONTENT:  # a voice, a video: it would be lost
        await message.reply(texts.STAFF_ANSWER_NEEDS_TEXT)
        return False
    # a caption's entities too: its raw text in an HTML message is a 400 for the asker
    plain, html_text = message.text or message.caption, message.html_text
    if not plain:  # a bare picture or file: the answer says it follows
        plain = html_text = (
            texts.STAFF_ANSWER_ONLY_PICTURE if message.photo else texts.STAFF_ANSWER_ONLY_FILE
        )
    staff = (message.from_user.id, message.from_user.full_name)
    delivered = await deliver_answer(to_asker, repo, ticket, staff, html_text, plain)
    template = texts.STAFF_DELIVERED if delivered else texts.STAFF_NOT_DELIVERED
    await message.reply(fill(template, id=ticket.id, staff=staff[1]))
    if delivered and (message.photo or message.document):
        await _picture_to_asker(message, bot, to_asker, ticket)
    if message.media_group_id is not None:  # the album's later parts follow this answer
        await state.update_data({ALBUM: [message.media_group_id, ticket.id, delivered]})
    note = fill(texts.STAFF_ANSWERED_NOTE, id=ticket.id, staff=staff[1],
                text=clip(plain, desk.NOTE_LIMIT))  # fmt: skip
    chats = await staff_targets(settings, repo)
    await desk.tell_colleagues(to_asker, chats, message.chat.id, note, about=(repo, ticket.id))
    return True


async def _end_wait(state: FSMContext) -> None:
    """The «Ответить» wait is over; an album being answered is still followed."""
    album = (await state.get_data()).get(ALBUM)
    await state.clear()
    if album is not None:
        await state.update_data({ALBUM: album})


async def _picture_to_asker(
    message: Message, bot: Bot, to_asker: Messenger, ticket: Ticket
) -> None:
    """The screenshot staff answered with follows the answer's text: copied to an asker in
    Telegram, sent as a file to one in MAX (it cannot take a Telegram copy); when it cannot
    go, staff hear so rather than believe it went."""
    caption = fill(texts.TICKET_ANSWER_PICTURE, id=ticket.id)
    try:
        if channel_of(ticket.chat_id) == channel_of(message.chat.id):
            here = MessageRef(message.chat.id, message.message_id)
            await to_asker.copy(here, ticket.chat_id, caption=caption)
        else:
            await to_asker.send_file(ticket.chat_id, await _picture(bot, message), caption)
    except (Unreachable, Deferred, TelegramAPIError, ClientError):
        await message.reply(fill(texts.STAFF_PICTURE_NOT_SENT, id=ticket.id))


async def _picture(bot: Bot, message: Message) -> OutFile:
    """The staff message's photo or document, fetched from Telegram."""
    if message.document is not None:
        file_id, name = message.document.file_id, message.document.file_name or "file"
    else:
        assert message.photo
        file_id, name = message.photo[-1].file_id, "screenshot.jpg"
    data = await bot.download(file_id)
    return OutFile(name, data.read() if data is not None else b"")


async def staff_action(
    query: CallbackQuery,
    callback_data: TicketCb,
    repo: Repositories,
    roster: Roster,
    bot: Bot,
    state: FSMContext,
    clock: Clock,
    settings: Settings,
    messenger: Switchboard | None = None,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if not await is_staff(roster, repo, query.from_user.id, chat_id):
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    ticket = await repo.tickets.get(callback_data.id)
    if ticket is None:
        await query.answer(texts.STAFF_TICKET_GONE, show_alert=True)
        return
    if ticket.status == TicketStatus.CLOSED and callback_data.action in ("reply", "close"):
        await _stale(query, people(bot, messenger), repo, ticket, callback_data.action)
    elif callback_data.action == "reply":
        again = desk.reply_pressed_again(await _waiting_for(state, clock), ticket.id)
        await query.answer(again)
        if again is not None:
            return
        # the wait starts before the prompt is out: a quick staffer's answer must find it
        await state.set_state(StaffAnswer.text)
        await state.set_data({"ticket": ticket.id, "asked_at": clock.now().timestamp()})
        prompt = await bot.send_message(
            chat_id,
            _reply_prompt(query, ticket.id),
            reply_markup=ForceReply(selective=True, input_field_placeholder="Ответ…"),
        )
        await repo.tickets.add_post(ticket.id, chat_id, prompt.message_id)
        await repo.commit()
    elif callback_data.action == "close":
        changed = await repo.tickets.set_status(ticket.id, TicketStatus.CLOSED)
        await repo.commit()
        if not changed:
            await query.answer(fill(texts.STAFF_ALREADY_CLOSED, id=ticket.id))
            return
        await query.answer()
        await drop_keyboard(query)
        closed = fill(texts.STAFF_TICKET_CLOSED, id=ticket.id, staff=_staff_name(query))
        await send_to_chat(query, closed)
        await _tell_asker_closed(people(bot, messenger), ticket.chat_id, ticket.id)
        await desk.retire_cards(people(bot, messenger), repo, ticket.id, _staff_name(query))
        await desk.tell_colleagues(
            people(bot, messenger), await staff_targets(settings, repo), chat_id, closed
        )
    else:
        await _save_draft(query, repo, ticket.id)


async def _stale(
    query: CallbackQuery, messenger: Messenger, repo: Repositories, ticket: Ticket, action: str
) -> None:
    """«Ответить» or «Закрыть» on a card of a ticket closed since (posted before closing
    rewrote cards, or its edit failed then): said on the button, nothing sent, the card
    retired — as in MAX."""
    await query.answer(desk.stale_notice(ticket.id, action), show_alert=action == "reply")
    await drop_keyboard(query)
    if query.message is not None:
        where = MessageRef(query.message.chat.id, query.message.message_id)
        await desk.retire_stale(messenger, repo, ticket, where)


async def _waiting_for(state: FSMContext, clock: Clock) -> int | None:
    """The ticket this staffer's next message here answers, if «Ответить» is still open
    (updates of one person in one chat come one at a time, so a double tap's second press
    sees the first one's wait)."""
    if await state.get_state() != StaffAnswer.text.state:
        return None
    data = await state.get_data()
    if desk.wait_over(float(data.get("asked_at", 0)), clock.now()):
        return None
    return int(data.get("ticket", 0)) or None


async def _tell_asker_closed(to_asker: Messenger, chat_id: int, ticket_id: int) -> None:
    with suppress(Unreachable, Deferred):  # the asker left; the ticket is closed either way
        await to_asker.send(chat_id, fill(texts.TICKET_CLOSED_USER, id=ticket_id))


async def _save_draft(query: CallbackQuery, repo: Repositories, ticket_id: int) -> None:
    draft = await desk.save_draft(repo, ticket_id, query.from_user.id)
    if draft is None:
        await query.answer(texts.STAFF_DRAFT_NO_ANSWER, show_alert=True)
        return
    await query.answer()
    await send_to_chat(query, fill(texts.STAFF_DRAFT_SAVED, draft=draft, id=ticket_id))


async def album_rest(
    message: Message,
    repo: Repositories,
    bot: Bot,
    state: FSMContext,
    messenger: Switchboard | None = None,
) -> None:
    """A later picture of the album a staffer answered with: it follows the answer to the
    asker (one message per album part in Telegram; only the first was the answer)."""
    found = (await state.get_data()).get(ALBUM)
    if not isinstance(found, list) or len(found) != 3 or found[0] != message.media_group_id:
        raise SkipHandler
    ticket = await repo.tickets.get(int(found[1]))
    if ticket is None or not found[2] or not (message.photo or message.document):
        return  # the answer itself did not reach the asker (staff were told)
    await _picture_to_asker(message, bot, people(bot, messenger), ticket)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(album_rest, F.media_group_id)
    # commands pass by, also as a reply to the ticket's post (/cancel ends the wait in
    # handlers.common; a typo gets «Такой команды нет» from handlers.fallback)
    router.message.register(staff_reply, F.reply_to_message, NOT_COMMAND)
    router.message.register(answer_typed, StaffAnswer.text, NOT_COMMAND)
    router.callback_query.register(
        staff_action, TicketCb.filter(F.action.in_({"reply", "close", "draft"}))
    )
    return router
