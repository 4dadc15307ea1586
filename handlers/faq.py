"""The knowledge base on Telegram: browsing by category, the free-text catch-all and
screenshots in private chats. What to answer is decided in `bot.services.faq.consult`; this
router only turns its `Reply` into Bot API calls."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache, partial

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot import texts
from bot.core.config import Settings
from bot.core.messages import Keyboard, Switchboard
from bot.services.faq import FaqService, consult
from bot.services.faq.attachments import Kind
from bot.services.faq.querylog import QueryLog
from bot.services.faq.replies import Reply
from bot.texts import unread
from handlers.tg import shots
from handlers.tg.callbacks import FaqCb
from handlers.tg.edits import edit_or_send
from handlers.tg.filters import COMMAND, Typed
from handlers.tg.follow_ups import (
    album_part_to_ticket,
    append_to_ticket,
    attachment_kind,
    replied_to_ticket,
)
from handlers.tg.messenger import markup
from storage.models import User
from storage.repositories import Repositories

log = logging.getLogger(__name__)


@lru_cache(maxsize=1024)
def _markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    """The same answers go out again and again, and building the keyboard's models costs a
    sixth of the search: each distinct keyboard is built once (it is never changed after)."""
    return markup(buttons)


async def send(message: Message, reply: Reply) -> int:
    """The reply in the chat of `message`; the id of the message sent."""
    sent = await message.answer(reply.text, reply_markup=_markup(reply.buttons))
    return sent.message_id


async def replace(message: Message, answer_id: int, reply: Reply) -> int:
    """The bot's earlier answer `answer_id` in the chat of `message` becomes `reply` (sent
    anew when Telegram will not edit it); the id of the message that holds it."""
    assert message.bot is not None
    try:
        await message.bot.edit_message_text(
            reply.text, chat_id=message.chat.id, message_id=answer_id,
            reply_markup=_markup(reply.buttons),
        )  # fmt: skip
    except TelegramBadRequest as exc:
        if "not modified" in exc.message:
            return answer_id
        log.info("album answer not edited, sending anew: %s", exc.message)
        return await send(message, reply)
    return answer_id


async def show(query: CallbackQuery, reply: Reply) -> None:
    await edit_or_send(query, reply.text, _markup(reply.buttons))


async def stale(query: CallbackQuery, faq: FaqService) -> None:
    """A topic or an entry gone since the message was sent (the knowledge base was reloaded):
    the pressed message becomes the topics, with a word why, as in MAX; an alert alone left
    the parent before the same dead buttons, to find «Частые вопросы» herself."""
    await query.answer(texts.FAQ_STALE_BUTTON)
    await show(query, consult.categories(faq))


async def show_categories(message: Message, faq: FaqService) -> None:
    await send(message, consult.categories(faq))


async def categories_cb(query: CallbackQuery, faq: FaqService) -> None:
    await query.answer()
    await show(query, consult.categories(faq))


async def category_cb(query: CallbackQuery, callback_data: FaqCb, faq: FaqService) -> None:
    reply = consult.category(faq, callback_data.id)
    if reply is None:
        await stale(query, faq)
        return
    await query.answer()
    await show(query, reply)


async def entry_cb(
    query: CallbackQuery, callback_data: FaqCb, faq: FaqService, settings: Settings
) -> None:
    if callback_data.id not in faq.kb.entries:
        await stale(query, faq)
        return
    await query.answer()
    await show(query, consult.entry_view(faq, settings, callback_data.id))


async def offered_cb(
    query: CallbackQuery, callback_data: FaqCb, faq: FaqService, settings: Settings
) -> None:
    """An entry offered for the parent's question: its «Спросить специалиста» carries it."""
    reply = consult.offered_entry(faq, settings, callback_data.id)
    if reply is None:
        await stale(query, faq)
        return
    await query.answer()
    await show(query, reply)


async def offers_cb(
    query: CallbackQuery, callback_data: FaqCb, faq: FaqService, repo: Repositories,
    user: User | None,
) -> None:  # fmt: skip
    """«« Назад» under an entry opened from the offers: the offers again; the topics when
    they are gone (the question forgotten), as under a plain entry's «« Назад»."""
    role = user.role if user else None
    reply = await consult.offers(faq, repo, query.from_user.id, callback_data.id, role=role)
    await query.answer()
    await show(query, reply or consult.categories(faq))


async def unknown_command(message: Message) -> None:
    """«/foo», «/старт»: every command the bot has was handled by an earlier router, and the
    matcher would only say «не нашёл» to it."""
    await message.answer(texts.UNKNOWN_COMMAND)


async def free_text(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
) -> None:
    """Any typed text: a question for the matcher, or a follow-up to an open ticket."""
    assert message.text is not None
    await _respond(message, faq, settings, repo, querylog, user, message.text.strip())


async def edited_question(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
) -> None:
    """A question corrected after it was sent (a typo, a word the phone's dictation got
    wrong): answered as it reads now. While a ticket is open the specialist got the text as
    first sent, so the parent is asked to send the correction anew, as before."""
    assert message.text is not None
    ticket = None
    if user is not None and user.has_open_ticket is not False:
        ticket = await repo.tickets.open_for_user(user.id)
    if user is None or ticket is not None:
        await message.answer(unread.EDITED_UNSEEN)
        return
    await _respond(message, faq, settings, repo, querylog, user, message.text.strip())


async def screenshot(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
    state: FSMContext,
    messenger: Switchboard | None = None,
) -> None:
    """A photo or a file, maybe with a caption: the caption is read like a typed question;
    unanswered, the picture can go to a specialist with it (`AskCb` → `ask_cb`, which finds
    its file kept here for MAX staff). An album's later parts get no answer of their own:
    they follow its first part to the ticket, or wait for the offer's press; a caption on a
    later part (the photo it was typed under) changes the album's answer instead."""
    caption = (message.caption or "").strip()
    kind = attachment_kind(message)
    await shots.remember(state, message)
    part = await shots.album_part(state, message)
    if part is not None and part.ticket and user is not None:
        await album_part_to_ticket(message, repo, settings, user, part.ticket, messenger)
        return
    if part is not None and (part.ticket or part.captioned or not caption):
        return  # the album's first part was answered (its offer sends the whole album)

    async def answer(reply: Reply) -> int:
        if part is not None and part.answer:  # the album's first part was answered
            assert message.from_user is not None
            await repo.faq_log.drop_offer(message.from_user.id, part.first)  # one question
            await repo.commit()
            return await replace(message, part.answer, reply)
        sent = await send(message, reply)
        await shots.album_answered(state, message, sent)
        return sent

    went = await _respond(
        message, faq, settings, repo, querylog, user, caption, shot=kind, board=messenger,
        sender=answer,
    )  # fmt: skip
    if went:
        await shots.album_went_to(state, message, went)


async def _respond(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
    text: str,
    *,
    shot: Kind | None = None,
    board: Switchboard | None = None,
    sender: Callable[[Reply], Awaitable[int]] | None = None,
) -> int:
    """Answers `text` (by `sender`, else a new message); the ticket it joined (0: none)."""
    assert message.from_user is not None
    if user is not None:  # a reply to the specialist's answer is for the specialist
        replied = await replied_to_ticket(message, repo, settings, user, text, shot, board)
        if replied:
            return replied
    joined = 0

    async def follow_up() -> bool:
        nonlocal joined
        if user is not None:
            joined = await append_to_ticket(message, repo, settings, user, text, shot, board)
        return bool(joined)

    reply = await consult.ask(
        faq, repo, querylog, settings, message.from_user.id, text,
        role=user.role if user else None, follow_up=follow_up,
        picture=message.message_id if shot else None, attachment=shot or "picture",
    )  # fmt: skip
    if reply is None:  # it joined the open ticket, which said so
        return joined
    await consult.deliver(querylog, reply, sender or partial(send, message))
    if shot and reply.answered and user is not None:  # a picture during a ticket: staff see it
        return await append_to_ticket(message, repo, settings, user, text, shot, board)
    return 0


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_categories, Command("faq"))
    router.message.register(show_categories, F.text == texts.BTN_FAQ)
    router.message.register(show_categories, Typed("faq"), StateFilter(None))
    router.callback_query.register(categories_cb, FaqCb.filter(F.action == "cats"))
    router.callback_query.register(category_cb, FaqCb.filter(F.action == "cat"))
    router.callback_query.register(entry_cb, FaqCb.filter(F.action == "e"))
    router.callback_query.register(offered_cb, FaqCb.filter(F.action == "s"))
    router.callback_query.register(offers_cb, FaqCb.filter(F.action == "o"))
    # in any state: a dialog waiting for words (the question to a specialist, a staffer's
    # answer) lets commands through, and one nobody took is a typo, not the end of the dialog
    router.message.register(unknown_command, F.text.regexp(COMMAND))
    router.message.register(free_text, F.text, StateFilter(None))
    router.message.register(screenshot, F.photo | F.document, StateFilter(None))
    # an edit in a dialog, of a command or of a caption: handlers.fallback.edited
    router.edited_message.register(
        edited_question, F.chat.type == "private", F.text, ~F.text.regexp(COMMAND),
        StateFilter(None),
    )  # fmt: skip
    return router
