"""/move in MAX over the same service as Telegram's handlers/transfer.py
(`bot.services.profile.transfer`): /move (or «Перенести в другой мессенджер» under /my_data,
`mv:ask` as Telegram's MoveCb) gives a code; the code sent as a message, or /move with it,
moves the data here and answers with the events doors of the menu; sent in the middle of a
dialog too (pasted at «Напишите ФИО» it is no name). A code posted in a group stops working:
anyone there could use it."""

from __future__ import annotations

from bot.services.profile import transfer
from bot.texts import transfer as t
from handlers.max import event_doors, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, visit
from storage.repositories import Repositories


async def command(v: Visit, name: str, arg: str) -> bool:
    """/move [code]; False for another command."""
    if name != "move":
        return False
    if transfer.asks_code(arg):  # /move alone, «/move в Telegram»
        await v.say(await transfer.issue(v.repo, v.ctx.roster, v.uid, v.ctx.clock.now()))
        return True
    code = transfer.code_in(arg)
    if code is None:
        await v.say(t.UNKNOWN)
    else:
        await redeem(v, code)
    return True


async def typed_code(v: Visit, text: str) -> bool:
    """A code sent as a message, in a dialog or outside one (`transfer.typed` says what
    counts in a dialog); False for anything else."""
    code = transfer.typed(text, in_dialog=bool(v.state), staff=v.is_admin)
    if code is None:
        return False
    await redeem(v, code)
    return True


async def redeem(v: Visit, code: str) -> None:
    ctx = v.ctx
    done = await transfer.redeem(v.repo, ctx.roster, v.uid, code, ctx.clock.now())
    if done.source is None:
        await v.say(done.text)  # a dialog open goes on: its question still stands
        return
    await v.clear_state()  # a profile form open would overwrite the profile that came
    role = await v.repo.users.role_of(v.uid)  # the role may have come with the data
    v.is_admin = await ctx.roster.is_staff(v.uid, v.repo)  # staff access may have come too
    await v.say(done.text, event_doors.menu_buttons(role, v.is_admin) or None)
    await transfer.tell(ctx.messenger, done, ctx.settings, ctx.clock.now())


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, _action = updates.payload(update).partition(":")
    if prefix != transfer.ACTION:
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        await updates.answer(ctx, update)
        await v.say(await transfer.issue(v.repo, ctx.roster, v.uid, ctx.clock.now()))
    return True


async def shown_in_group(ctx: MaxContext, update: JsonDict) -> bool:
    """A live code posted in a group stops working and its owner is told privately; False
    always: the message goes on to the group's handlers (a staff reply quoting it too)."""
    if updates.is_dialog(update) or updates.sender(update).get("is_bot"):
        return False
    code = transfer.code_in(updates.text(update))
    if code is None:
        return False
    async with ctx.sessionmaker() as session:
        owner = await transfer.burn(Repositories(session), code, ctx.clock.now())
    if owner is not None:
        await transfer.warn_burned(ctx.messenger, owner)
    return False


def register(routes: Routes) -> None:
    routes.add("message_created", shown_in_group)
    routes.add("message_callback", callbacks)
