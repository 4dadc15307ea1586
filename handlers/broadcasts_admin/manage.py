"""/broadcasts: the recent broadcasts with their counts, and the buttons under the list:
cancel a scheduled one, move it to another time, «Кто ознакомился»."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.dates import DateParseError, format_local
from bot.core.markup import fill, q, split_message
from bot.core.messages import Messenger, Switchboard
from bot.services.staff import broadcasts as staff_broadcasts
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.content import Content
from handlers.broadcasts_admin.draft import parse_moment
from handlers.tg.edits import send_to_chat
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.messenger import people
from storage.models import BroadcastState
from storage.repositories import Repositories


class Move(StatesGroup):
    when = State()  # data: broadcast_id


async def list_broadcasts(message: Message, repo: Repositories, settings: Settings) -> None:
    listing = await staff_broadcasts.recent_listing(repo, settings)
    if not listing.text:
        await message.answer(t.LIST_EMPTY)
        return
    markup = kb.broadcast_actions(listing.scheduled, listing.with_ack)
    await message.answer(listing.text, reply_markup=markup)


async def broadcast_action(
    query: CallbackQuery,
    callback_data: kb.BroadcastCb,
    state: FSMContext,
    repo: Repositories,
    bot: Bot,
    messenger: Switchboard | None = None,
) -> None:
    bid = callback_data.id
    if callback_data.action == "cancel":
        await cancel_one(query, bid, repo, people(bot, messenger))
    elif callback_data.action == "move":
        await ask_move(query, bid, state, repo)
    else:
        await show_acks(query, bid, repo)


async def _refuse(
    query: CallbackQuery, template: str, item: service.Status | None, bid: int
) -> None:
    await query.answer(staff_broadcasts.refusal(template, item, bid), show_alert=True)


async def cancel_one(
    query: CallbackQuery, bid: int, repo: Repositories, messenger: Messenger
) -> None:
    outcome = await staff_broadcasts.cancel(repo, messenger, bid, query.from_user.full_name)
    if not outcome.done:
        await query.answer(outcome.text, show_alert=True)
        return
    await query.answer()
    await send_to_chat(query, outcome.text)


async def ask_move(query: CallbackQuery, bid: int, state: FSMContext, repo: Repositories) -> None:
    item = await service.status(repo.session, bid)
    if item is None or item.state != BroadcastState.SCHEDULED:
        await _refuse(query, t.CANNOT_MOVE, item, bid)
        return
    await query.answer()
    await state.clear()
    await state.set_state(Move.when)
    await state.set_data({"broadcast_id": bid})
    await send_to_chat(query, fill(t.ASK_MOVE, id=bid))


async def got_move(
    message: Message,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    messenger: Switchboard | None = None,
) -> None:
    bid = int((await state.get_data()).get("broadcast_id", 0))
    try:
        at = parse_moment(message.text or "", settings, clock)
    except DateParseError as exc:
        await message.answer(f"{exc}\n\n{fill(t.ASK_MOVE, id=bid)}")
        return
    to = people(bot, messenger)  # at is in the future: no BroadcastError
    moved = await staff_broadcasts.move(repo, to, bid, at, clock.now(), settings.tz)
    await state.clear()
    if moved:
        await message.answer(fill(t.MOVED, id=bid, moment=format_local(at, settings.tz)))
        return
    item = await service.status(repo.session, bid)
    label = t.STATE_LABELS.get(item.state, item.state) if item else "—"
    await message.answer(fill(t.CANNOT_MOVE, id=bid, state=label))


async def reprompt_move(message: Message, state: FSMContext) -> None:
    bid = int((await state.get_data()).get("broadcast_id", 0))
    await message.answer(fill(t.ASK_MOVE, id=bid))


def _names(names: list[str], limit: int = 40) -> str:
    shown = [f"• {q(name)}" for name in names[:limit]]
    if len(names) > limit:
        shown.append(fill(t.ACKS_MORE, count=len(names) - limit))
    return "\n".join(shown)


async def acks_text(repo: Repositories, bid: int) -> str:
    report = await service.ack_report(repo.session, bid)
    titles = await repo.chats.titles(report.by_chat)
    grouped: dict[str, list[str]] = {}
    for chat_id, names in report.by_chat.items():
        title = titles.get(chat_id) or (t.PRIVATE_CHATS if chat_id > 0 else str(chat_id))
        grouped.setdefault(title, []).extend(names)
    parts = [fill(t.ACKS_TITLE, id=bid)]
    for title, names in grouped.items():
        parts.append(t.ACKS_CHAT.format(title=q(title), count=len(names), names=_names(names)))
    if not grouped:
        parts.append(t.ACKS_NONE)
    if report.pending_private:
        users = await repo.users.many(report.pending_private)
        names = sorted(u.full_name for u in users)
        parts.append(t.ACKS_PENDING.format(count=len(names), names=_names(names)))
    return "\n".join(parts)


async def show_acks(query: CallbackQuery, bid: int, repo: Repositories) -> None:
    broadcast = await repo.broadcasts.get(bid)
    if broadcast is None:
        await query.answer(fill(t.NOT_FOUND, id=bid), show_alert=True)
        return
    if not Content.from_json(broadcast.content).ack:
        await query.answer(fill(t.NO_ACK_BUTTON, id=bid), show_alert=True)
        return
    await query.answer()
    # every line closes its own tags, and split_message cuts at line ends
    for part in split_message(await acks_text(repo, bid)):
        await send_to_chat(query, part)


def create_router() -> Router:
    """Mounted under the staff gate in handlers.broadcasts_admin, before the dialog's steps,
    so /broadcasts is answered even in the middle of a draft."""
    router = Router(name=__name__)
    router.message.register(list_broadcasts, Command("broadcasts"))
    router.callback_query.register(broadcast_action, kb.BroadcastCb.filter())
    router.message.register(got_move, Move.when, F.text)
    router.message.register(reprompt_move, Move.when)
    return router
