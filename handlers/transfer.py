"""/move in Telegram over `bot.services.profile.transfer`: the source account gets a code
(/move or «Перенести в другой мессенджер» under /my_data), the target sends it («K7MP-2QXA»
as a message, also in the middle of a dialog, or /move K7MP-2QXA) and gets the data with the
menu of its role. A code posted in a group stops working: anyone there could use it."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Switchboard
from bot.services.profile import transfer
from bot.services.staff.roster import Roster
from bot.texts import transfer as t
from handlers.tg import keyboards
from handlers.tg.callbacks import MoveCb
from handlers.tg.edits import send_to_chat
from handlers.tg.filters import Typed
from handlers.tg.messenger import people
from storage.models import User
from storage.repositories import Repositories


async def move(
    message: Message,
    command: CommandObject,
    repo: Repositories,
    user: User | None,
    clock: Clock,
    bot: Bot,
    settings: Settings,
    state: FSMContext,
    roster: Roster,
    messenger: Switchboard | None = None,
) -> None:
    """/move alone (or «/move в MAX») gives a code; /move with a code redeems it."""
    if user is None:
        return
    if transfer.asks_code(command.args):
        await message.answer(await transfer.issue(repo, roster, user.id, clock.now()))
        return
    code = transfer.code_in(command.args)
    if code is None:
        await message.answer(t.UNKNOWN)
        return
    await _redeem(message, code, repo, user, clock, bot, settings, roster, state, messenger)


async def typed_code(
    message: Message,
    repo: Repositories,
    user: User | None,
    clock: Clock,
    bot: Bot,
    settings: Settings,
    is_admin: bool,
    state: FSMContext,
    roster: Roster,
    messenger: Switchboard | None = None,
) -> None:
    """A code sent as a message, also mid-dialog: pasted at «Напишите ФИО» it is no name
    (`transfer.typed` says what counts in a dialog)."""
    in_dialog = await state.get_state() is not None
    taken = transfer.typed(message.text, in_dialog=in_dialog, staff=is_admin)
    if taken is None:
        raise SkipHandler  # the dialog's answer after all
    if user is not None:
        await _redeem(message, taken, repo, user, clock, bot, settings, roster, state, messenger)


async def _redeem(
    message: Message,
    code: str,
    repo: Repositories,
    user: User,
    clock: Clock,
    bot: Bot,
    settings: Settings,
    roster: Roster,
    state: FSMContext,
    messenger: Switchboard | None,
) -> None:
    done = await transfer.redeem(repo, roster, user.id, code, clock.now())
    if done.source is None:
        await message.answer(done.text)  # a dialog open goes on: its question still stands
        return
    await state.clear()  # a profile form open would overwrite the profile that came
    role = await repo.users.role_of(user.id)  # the role may have come with the data
    is_admin = await roster.is_staff(user.id, repo)  # and staff access with it
    await message.answer(done.text, reply_markup=keyboards.main_menu(role, is_admin))
    await transfer.tell(people(bot, messenger), done, settings, clock.now())


async def move_cb(
    query: CallbackQuery, callback_data: MoveCb, repo: Repositories, clock: Clock, roster: Roster
) -> None:
    await query.answer()
    said = await transfer.issue(repo, roster, query.from_user.id, clock.now())
    await send_to_chat(query, said)


async def shown_in_group(
    message: Message,
    code: str,
    repo: Repositories,
    clock: Clock,
    bot: Bot,
    messenger: Switchboard | None = None,
) -> None:
    """A live code posted in a group stops working and its owner is told privately; the
    message goes on to the group's handlers all the same (a staff member's reply in the
    staff chat quoting it still reaches the teacher)."""
    owner = await transfer.burn(repo, code, clock.now())
    if owner is not None:
        await transfer.warn_burned(people(bot, messenger), owner)
    raise SkipHandler


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    private = Router(name=f"{__name__}.private")
    private.message.filter(F.chat.type == "private")
    private.message.register(move, Command("move"))
    private.message.register(move, Typed("move"), StateFilter(None))
    private.message.register(typed_code, F.text.func(transfer.code_in))
    groups = Router(name=f"{__name__}.groups")
    groups.message.filter(F.chat.type.in_({"group", "supergroup"}))
    groups.message.register(shown_in_group, F.text.func(transfer.code_in).as_("code"))
    router.include_routers(private, groups)
    router.callback_query.register(move_cb, MoveCb.filter())
    return router
