"""/withdraw_consent and «↩️ Отозвать согласие» in MAX, over the same service as Telegram's
handlers/privacy.py (`bot.services.profile.withdrawal`): the confirmation says what goes and
what stays, «Да, отозвать» withdraws; a second tap or an old confirmation changes nothing.
Buttons: `wdc:ask|yes|no`, as Telegram's ConsentCb."""

from __future__ import annotations

from bot.services.profile import withdrawal
from bot.texts import consent as t
from handlers.max import profile, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, visit


async def ask(v: Visit) -> None:
    ctx = v.ctx
    text, buttons = await withdrawal.confirmation(v.repo, v.uid, ctx.clock.now(), ctx.settings.tz)
    await v.say(text, buttons)


async def command(v: Visit, name: str) -> bool:
    """/withdraw_consent; False for another command."""
    if name != "withdraw_consent":
        return False
    await ask(v)
    return True


async def pressed(v: Visit, action: str) -> None:
    ctx = v.ctx
    if action == "ask":
        await updates.answer(ctx, v.update)
        await ask(v)
        return
    await v.drop_buttons()  # answers the press
    if action != "yes":
        await v.say(t.KEPT if await withdrawal.given(v.repo, v.uid) else t.STALE)
        return
    done = await withdrawal.withdraw(v.repo, v.uid, ctx.clock.now())
    if done is None:
        await v.say(t.STALE)
        return
    if v.state.startswith(profile.PREFIX):
        await v.clear_state()  # a form begun before: its answers (a name, maybe) go too
    await v.say(withdrawal.done_text(done, ctx.settings.tz))
    await withdrawal.tell_promoted(ctx.messenger, done, ctx.settings)  # undelivered: logged


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, action = updates.payload(update).partition(":")
    if prefix != withdrawal.ACTION:
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        await pressed(v, action)
    return True


def register(routes: Routes) -> None:
    routes.add("message_callback", callbacks)
