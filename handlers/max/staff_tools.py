"""Staff tools in a private MAX dialog: /web (a one-time sign-in link to the panel), /invite
(owners: an invite link) and opening an invite (`/start staff_<token>` or the bot_started
payload of `https://max.ru/<bot>?start=staff_<token>`).

The same services as Telegram's handlers/panel_link.py and handlers/staff_invites.py decide;
people are internal ids, so a MAX staff member signs in to the panel as themselves.
"""

from __future__ import annotations

from bot import texts
from bot.core.markup import fill
from bot.services.staff import members
from bot.services.staff.web_sessions import login_link
from bot.texts import staff as t
from bot.texts import web as web_texts
from handlers.max.people import Visit

CHANNELS = {"tg": "Telegram", "max": "MAX"}


async def command(v: Visit, name: str) -> bool:
    """/web and /invite; False for any other command."""
    if name == "web":
        await web_link(v)
    elif name == "invite":
        await invite(v)
    else:
        return False
    return True


async def web_link(v: Visit) -> None:
    if not v.is_admin:
        await v.say(texts.ADMIN_ONLY)
        return
    link = login_link(v.ctx.settings, v.uid, v.user.full_name, v.ctx.clock.now())
    await v.say(fill(web_texts.WEB_LINK, link=link))


async def invite(v: Visit) -> None:
    ctx = v.ctx
    if not await ctx.roster.is_owner(v.uid, v.repo):
        await v.say(t.INVITE_OWNERS_ONLY)
        return
    made = await members.invite(v.repo, ctx.settings, v.uid, ctx.clock.now())
    links = made.links(ctx.roster)
    shown = "\n".join(f"{name}: {links[key]}" for key, name in CHANNELS.items() if key in links)
    until = made.expires.astimezone(ctx.settings.tz).strftime("%d.%m.%Y %H:%M")
    await v.say(fill(t.INVITE_LINK, link=shown or made.token, until=until))


async def invite_opened(v: Visit, payload: str) -> bool:
    """True when `payload` is an invite (accepted or refused, the person is told)."""
    if not payload.startswith(members.INVITE_PREFIX):
        return False
    token = payload.removeprefix(members.INVITE_PREFIX)
    ctx = v.ctx
    outcome = await members.accept(v.repo, ctx.settings, ctx.roster, token, v.uid, ctx.clock.now())
    await v.say(t.INVITE_OUTCOMES[outcome.value])
    return True
