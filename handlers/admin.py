"""Admin commands: open tickets, FAQ statistics and drafts, reloading the knowledge base."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.core.config import Settings
from bot.core.markup import clip, fill, q
from bot.services.faq import FaqService, drafts
from bot.services.faq.querylog import QueryLog
from bot.services.faq.stats import faq_stats as faq_stats_of
from bot.texts import faq_learn as faq_learn_texts
from handlers.tg.callbacks import FaqDraftsCb, TicketCb
from handlers.tg.edits import edit_or_send
from handlers.tg.filters import IsAdmin
from handlers.tg.guards import deny_staff_button
from handlers.tg.keyboards import faq_learn as faq_learn_keyboards
from handlers.tg.messenger import markup
from storage.models import TicketStatus
from storage.repositories import Repositories

ADMIN_COMMANDS = ("tickets", "faq_stats", "faq_drafts", "reload_faq")


async def not_admin(message: Message) -> None:
    await message.answer(texts.ADMIN_ONLY)


async def open_tickets(message: Message, repo: Repositories, settings: Settings) -> None:
    tickets = await repo.tickets.list_open()
    if not tickets:
        await message.answer(texts.STAFF_NO_OPEN)
        return
    waiting = (await repo.tickets.count_by_status()).get(TicketStatus.OPEN, len(tickets))
    lines = [fill(texts.STAFF_OPEN_LIST, count=waiting)]  # all of them, not the 20 listed
    builder = InlineKeyboardBuilder()
    for ticket in tickets:
        name = ticket.user.full_name if ticket.user else str(ticket.user_id)
        stamp = ticket.created_at.astimezone(settings.tz).strftime("%d.%m %H:%M")
        lines.append(f"№{ticket.id} · {q(name)} · {stamp}\n<i>{q(clip(ticket.question, 160))}</i>")
        builder.button(
            text=f"✍️ №{ticket.id}", callback_data=TicketCb(action="reply", id=ticket.id)
        )
    builder.adjust(4)
    await message.answer("\n\n".join(lines), reply_markup=builder.as_markup())


async def faq_stats(
    message: Message, repo: Repositories, faq: FaqService, querylog: QueryLog
) -> None:
    stats = await faq_stats_of(repo, faq, querylog)
    # «➕ N» buttons: staff attach a question to an entry (handlers/faq_learn)
    hint = faq_learn_texts.STATS_HINT if stats.missed else ""
    await message.answer(
        stats.text + hint, reply_markup=faq_learn_keyboards.stats(list(stats.missed))
    )


async def faq_drafts(message: Message, repo: Repositories) -> None:
    text, buttons = await drafts.drafts_page(repo, 0)
    await message.answer(text, reply_markup=markup(buttons))


async def faq_drafts_page(
    query: CallbackQuery, callback_data: FaqDraftsCb, repo: Repositories
) -> None:
    await query.answer()
    text, buttons = await drafts.drafts_page(repo, callback_data.page)
    await edit_or_send(query, text, markup(buttons))


async def not_admin_button(query: CallbackQuery) -> None:
    await query.answer(texts.ADMIN_ONLY, show_alert=True)


async def reload_faq(message: Message, faq: FaqService, repo: Repositories) -> None:
    await message.answer(await drafts.reload(faq, repo))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(not_admin, Command(*ADMIN_COMMANDS), ~IsAdmin())
    private = F.chat.type == "private"
    router.message.register(deny_staff_button, F.text == texts.BTN_TICKETS, private, ~IsAdmin())
    router.message.register(open_tickets, Command("tickets"), IsAdmin())
    router.message.register(open_tickets, F.text == texts.BTN_TICKETS, IsAdmin())
    router.message.register(faq_stats, Command("faq_stats"), IsAdmin())
    router.message.register(faq_drafts, Command("faq_drafts"), IsAdmin())
    router.callback_query.register(faq_drafts_page, FaqDraftsCb.filter(), IsAdmin())
    router.callback_query.register(not_admin_button, FaqDraftsCb.filter())
    router.message.register(reload_faq, Command("reload_faq"), IsAdmin())
    return router
