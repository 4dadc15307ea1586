"""МОЦ staff side of tickets: replying (Telegram reply or «Ответить»), closing, FAQ drafts.

Staff are admins (ADMIN_IDS) anywhere, and anyone in STAFF_CHAT_ID. Every action is checked
here on the server, so a forged button from another chat does nothing.
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ForceReply, Message

from bot import texts
from bot.callbacks import TicketCb
from bot.config import Settings
from bot.render import fill
from bot.tg import drop_keyboard, send_to_chat
from bot.tickets import deliver_answer, is_staff
from storage.models import TicketStatus
from storage.repositories import Repositories


def _staff_name(query_or_message: CallbackQuery | Message) -> str:
    user = query_or_message.from_user
    return user.full_name if user else "сотрудник"


async def staff_reply(message: Message, repo: Repositories, settings: Settings, bot: Bot) -> None:
    """A reply to a ticket post is the answer to that ticket."""
    assert message.reply_to_message is not None
    if message.from_user is None or not is_staff(settings, message.from_user.id, message.chat.id):
        raise SkipHandler
    ticket = await repo.tickets.by_post(message.chat.id, message.reply_to_message.message_id)
    if ticket is None:
        raise SkipHandler
    plain = message.text or message.caption
    if not plain:
        await message.reply("Ответ должен быть текстом — пользователь получит его в чате с ботом.")
        return
    html_text = message.html_text if message.text else plain
    staff = (message.from_user.id, message.from_user.full_name)
    delivered = await deliver_answer(bot, repo, ticket, staff, html_text, plain)
    template = texts.STAFF_DELIVERED if delivered else texts.STAFF_NOT_DELIVERED
    await message.reply(fill(template, id=ticket.id, staff=staff[1]))


async def staff_action(
    query: CallbackQuery,
    callback_data: TicketCb,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if not is_staff(settings, query.from_user.id, chat_id):
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    ticket = await repo.tickets.get(callback_data.id)
    if ticket is None:
        await query.answer(texts.STAFF_TICKET_GONE, show_alert=True)
        return
    if callback_data.action == "reply":
        await query.answer()
        assert query.bot is not None
        prompt = await query.bot.send_message(
            chat_id,
            fill(texts.STAFF_REPLY_PROMPT, id=ticket.id),
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
        await send_to_chat(
            query, fill(texts.STAFF_TICKET_CLOSED, id=ticket.id, staff=_staff_name(query))
        )
        await _tell_asker_closed(bot, repo, ticket.chat_id, ticket.id)
    else:
        await _save_draft(query, repo, ticket.id)


async def _tell_asker_closed(bot: Bot, repo: Repositories, chat_id: int, ticket_id: int) -> None:
    with suppress(TelegramAPIError):  # the asker left; the ticket is closed either way
        await bot.send_message(chat_id, fill(texts.TICKET_CLOSED_USER, id=ticket_id))


async def _save_draft(query: CallbackQuery, repo: Repositories, ticket_id: int) -> None:
    ticket = await repo.tickets.get(ticket_id)
    assert ticket is not None
    answers = [m for m in ticket.messages if m.from_staff]
    if not answers:
        await query.answer(texts.STAFF_DRAFT_NO_ANSWER, show_alert=True)
        return
    draft = await repo.faq_log.add_draft(
        ticket.id, ticket.question, answers[-1].text, query.from_user.id
    )
    await repo.commit()
    await query.answer()
    await send_to_chat(query, fill(texts.STAFF_DRAFT_SAVED, draft=draft.id, id=ticket.id))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(staff_reply, F.reply_to_message)
    router.callback_query.register(
        staff_action, TicketCb.filter(F.action.in_({"reply", "close", "draft"}))
    )
    return router
