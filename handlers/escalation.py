"""The asker's side of a ticket: «Спросить специалиста», follow-ups and closing."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import Switchboard
from bot.core.words import says_something
from bot.services.chats.room_notes import RoomNotes
from bot.services.faq.attachments import untitled
from bot.services.faq.querylog import QueryLog
from bot.services.tickets import desk
from bot.services.tickets.escalation import (
    Escalated,
    answered_question,
    escalate,
    logged_question,
)
from bot.services.tickets.media import copy_to_staff
from bot.services.tickets.posting import POST_BODY_LIMIT, post, staff_targets
from bot.texts import unread
from handlers.tg import shots
from handlers.tg.callbacks import AskCb, TicketCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.filters import NOT_COMMAND, Typed
from handlers.tg.follow_ups import attachment_kind
from handlers.tg.messenger import markup, people
from handlers.tg.shots import Shot
from storage.models import TicketStatus, User
from storage.repositories import Repositories


class AskState(StatesGroup):
    question = State()


async def _created(
    bot: Bot,
    repo: Repositories,
    settings: Settings,
    user: User,
    question: tuple[int, str],
    board: Switchboard | None,
    notes: RoomNotes | None,
) -> Escalated:
    """The ticket posted to staff in every messenger (MAX staff get it privately), through
    the app's Switchboard; `question`: the asker's chat and text; `notes`: the process's
    (Services.room_notes: a refusing staff chat is explained once an hour per staffer)."""
    chat_id, text = question
    return await escalate(people(bot, board), repo, settings, user, chat_id, text, notes)


async def _shot_to_ticket(
    bot: Bot,
    repo: Repositories,
    settings: Settings,
    user: User,
    source: tuple[int, int],
    caption: str,
    shot: tuple[Switchboard | None, Shot | None] = (None, None),
) -> None:
    """The picture a new ticket was asked with goes to staff beside the ticket's post: copied
    in Telegram, downloaded and uploaded for MAX staff (`shot`: the app's Switchboard and the
    picture's file)."""
    ticket = await repo.tickets.open_for_user(user.id)
    if ticket is not None:
        board, found = shot
        delivered = await copy_to_staff(
            people(bot, board), repo, settings, ticket.id, user.full_name, source, caption,
            fetch=shots.fetcher(bot, found), what=shots.what_of(found),
        )  # fmt: skip
        await repo.commit()
        if not delivered and await staff_targets(settings, repo):  # too big for MAX staff
            await bot.send_message(source[0], shots.not_passed(found))


async def ask(message: Message, state: FSMContext) -> None:
    await state.set_state(AskState.question)
    await message.answer(texts.ASK_PROMPT)


async def ask_cb(
    query: CallbackQuery,
    callback_data: AskCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    user: User | None,
    bot: Bot,
    querylog: QueryLog,
    messenger: Switchboard | None = None,
    room_notes: RoomNotes | None = None,
) -> None:
    asker = query.from_user.id
    logged = await logged_question(repo, callback_data.query_id, asker, querylog)
    if logged is None and callback_data.query_id == 0:  # under a direct answer, maybe
        answer = query.message.message_id if query.message is not None else None
        sent_at = query.message.date if isinstance(query.message, Message) else None
        logged = await answered_question(repo, asker, answer, sent_at, querylog)
    if logged is None or user is None:
        await query.answer()
        await state.set_state(AskState.question)
        await send_to_chat(query, texts.ASK_PROMPT)
        return
    await query.answer()
    asked = (query.from_user.id, logged.text)
    told = await _created(bot, repo, settings, user, asked, messenger, room_notes)
    await send_to_chat(query, told.text, markup(told.buttons))  # the outcome first
    await drop_keyboard(query)
    if logged.picture is None:
        return
    # the question came with a screenshot (or an album of them): staff see every one
    for picture in await shots.album_of(state, logged.picture):
        source = (query.from_user.id, picture)
        found = await shots.recalled(state, picture)
        caption = logged.caption if picture == logged.picture else ""
        await _shot_to_ticket(bot, repo, settings, user, source, caption, (messenger, found))


async def question_received(
    message: Message,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    user: User | None,
    bot: Bot,
    messenger: Switchboard | None = None,
    room_notes: RoomNotes | None = None,
) -> None:
    assert message.text is not None
    if len(message.text) > POST_BODY_LIMIT:
        too_long = fill(texts.ASK_TOO_LONG, length=len(message.text), limit=POST_BODY_LIMIT)
        await message.answer(too_long)
        return
    if user is None:  # cannot happen in a private chat; keep the state and say so
        await message.answer(texts.ERROR)
        return
    if not says_something(message.text):  # an invisible or emoji-only message: ask again
        await message.answer(texts.ASK_REPROMPT)
        return
    asked = (message.chat.id, message.text.strip())
    told = await _created(bot, repo, settings, user, asked, messenger, room_notes)
    await state.clear()
    await message.answer(told.text, reply_markup=markup(told.buttons))


async def question_with_screenshot(
    message: Message,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    user: User | None,
    bot: Bot,
    messenger: Switchboard | None = None,
    room_notes: RoomNotes | None = None,
) -> None:
    """After «Спросить специалиста», a picture or a voice message (with the question as
    caption, or without) is the question: the ticket gets the caption, staff get the file."""
    caption = (message.caption or "").strip()
    if len(caption) > POST_BODY_LIMIT or user is None:
        await message.answer(texts.ASK_REPROMPT)
        return
    unnamed = unread.VOICE_QUESTION if shots.recording(message) else None
    question = caption or unnamed or untitled(attachment_kind(message))
    told = await _created(
        bot, repo, settings, user, (message.chat.id, question), messenger, room_notes
    )
    await state.clear()
    # the asker hears first; the copy may wait in a busy chat
    await message.answer(told.text, reply_markup=markup(told.buttons))
    source = (message.chat.id, message.message_id)
    found = shots.shot_of(message)
    await _shot_to_ticket(bot, repo, settings, user, source, caption, (messenger, found))
    ticket = await repo.tickets.open_for_user(user.id)
    if ticket is not None:  # the album's later parts follow this one to the ticket
        await shots.album_went_to(state, message, ticket.id)


async def question_not_text(message: Message) -> None:
    await message.answer(texts.ASK_REPROMPT)


async def asker_action(
    query: CallbackQuery,
    callback_data: TicketCb,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
    messenger: Switchboard | None = None,
    room_notes: RoomNotes | None = None,
) -> None:
    ticket = await repo.tickets.get(callback_data.id)
    if ticket is None or ticket.user_id != query.from_user.id:
        await query.answer(texts.TICKET_NOT_YOURS, show_alert=True)
        return
    if callback_data.action == "more":
        reopened = await repo.tickets.reopen(ticket.id)
        await repo.commit()
        prompt = fill(texts.TICKET_FOLLOW_UP, id=ticket.id)
        await query.answer(None if reopened else prompt)  # a double tap: a hint, no 2nd message
        await drop_keyboard(query)
        if reopened:
            await send_to_chat(query, prompt)
        return
    changed = await repo.tickets.set_status(ticket.id, TicketStatus.CLOSED)
    await repo.commit()
    if not changed:  # a double tap, or staff closed it: said once, not again
        withdraw = callback_data.action == "withdraw"
        notice = fill(texts.TICKET_ALREADY_CLOSED_USER, id=ticket.id)
        await query.answer(notice if withdraw else texts.TICKET_THANKS, show_alert=withdraw)
        await drop_keyboard(query)
        return
    await query.answer()
    await drop_keyboard(query)
    # staff's cards say who closed it and lose their buttons, as when the asker is in MAX
    await desk.retire_cards(people(bot, messenger), repo, ticket.id, texts.CLOSED_BY_ASKER)
    if callback_data.action == "solved":
        await send_to_chat(query, texts.TICKET_THANKS)
        return
    await send_to_chat(query, fill(texts.TICKET_WITHDRAWN, id=ticket.id))
    note = fill(texts.STAFF_WITHDRAWN, id=ticket.id)
    targets = await staff_targets(settings, repo, room_notes)
    await post(people(bot, messenger), repo, targets, ticket.id, note, None)
    await repo.commit()


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(ask, Command("ask"))
    router.message.register(ask, F.text == texts.BTN_ASK)
    router.message.register(ask, Typed("ask"), StateFilter(None))
    router.callback_query.register(ask_cb, AskCb.filter())
    # «/hepl», «/faq» instead of the question: a command (MAX alike), not a ticket for staff
    router.message.register(question_received, AskState.question, F.text, NOT_COMMAND)
    router.message.register(
        question_with_screenshot, AskState.question, F.photo | F.document | F.voice | F.audio
    )
    router.message.register(question_not_text, AskState.question, NOT_COMMAND)
    router.callback_query.register(
        asker_action, TicketCb.filter(F.action.in_({"withdraw", "solved", "more"}))
    )
    return router
