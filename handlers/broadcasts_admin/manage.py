"""/broadcasts: the recent broadcasts with their counts, and the buttons under the list:
cancel a scheduled one, move it to another time, «Кто ознакомился»; and «Досылать» /
«Не досылать» under the worker's question about a broadcast paused too long."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import Messenger, Switchboard
from bot.services.staff import ack_lists
from bot.services.staff import broadcasts as staff_broadcasts
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.worker import BroadcastWorker
from handlers.tg.edits import drop_keyboard, edit_or_send, send_to_chat
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.messenger import TelegramMessenger, people
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
    clock: Clock,
    settings: Settings,
    messenger: Switchboard | None = None,
    broadcast_worker: BroadcastWorker | None = None,
) -> None:
    bid = callback_data.id
    if callback_data.action == "cancel":
        await cancel_one(query, bid, repo, people(bot, messenger))
    elif callback_data.action in ("resume", "drop"):
        resume, now = callback_data.action == "resume", clock.now()
        outcome = await staff_broadcasts.decide(
            repo, bid, resume, query.from_user.full_name, now, settings.tz
        )
        await decided(query, outcome, broadcast_worker)
    elif callback_data.action == "move":
        await ask_move(query, bid, state, repo)
    else:
        await show_acks(query, bid, repo, bot)


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


async def decided(
    query: CallbackQuery, outcome: staff_broadcasts.Cancelled, worker: BroadcastWorker | None
) -> None:
    if not outcome.done:
        await query.answer(outcome.text, show_alert=True)
        await drop_keyboard(query)
        return
    await query.answer()
    await edit_or_send(query, outcome.text)
    if worker is not None:
        worker.wake()  # the rest go now, or the cancel's report does


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
    to = people(bot, messenger)
    moving = await staff_broadcasts.move_typed(
        repo, to, bid, message.text or "", clock.now(), settings.tz
    )
    if moving.finished:
        await state.clear()
    await message.answer(moving.text)


async def reprompt_move(message: Message, state: FSMContext) -> None:
    bid = int((await state.get_data()).get("broadcast_id", 0))
    await message.answer(fill(t.ASK_MOVE, id=bid))


async def show_acks(query: CallbackQuery, bid: int, repo: Repositories, bot: Bot) -> None:
    refused = await ack_lists.refusal(repo, bid)
    if refused is not None:
        await query.answer(refused, show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await ack_lists.send(TelegramMessenger(bot), repo, chat_id, bid)  # remembered: /forget_me
    await repo.commit()


def create_router() -> Router:
    """Mounted under the staff gate in handlers.broadcasts_admin, before the dialog's steps,
    so /broadcasts is answered even in the middle of a draft."""
    router = Router(name=__name__)
    router.message.register(list_broadcasts, Command("broadcasts"))
    router.callback_query.register(broadcast_action, kb.BroadcastCb.filter())
    router.message.register(got_move, Move.when, F.text)
    router.message.register(reprompt_move, Move.when)
    return router
