"""Staff tools in a private MAX dialog: /web (a one-time sign-in link to the panel), /invite
(owners: an invite link), /staff with an owner's «Удалить: <имя>» (`stf:<id>`, Telegram's
payload; the owner checked on the server) and opening an invite (`/start staff_<token>` or the
bot_started payload of `https://max.ru/<bot>?start=staff_<token>`).

The same services as Telegram's handlers/panel_link.py and handlers/staff_invites.py decide;
people are internal ids, so a MAX staff member signs in to the panel as themselves.
"""

from __future__ import annotations

from bot import texts
from bot.core.ids import person_id
from bot.core.markup import fill
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.staff import members
from bot.services.staff.listing import StaffListing, staff_listing
from bot.services.staff.web_sessions import login_link
from bot.texts import max as max_texts
from bot.texts import staff as t
from bot.texts import web as web_texts
from handlers.max import updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff

CHANNELS = {"tg": "Telegram", "max": "MAX"}
REMOVE = "stf"  # handlers.tg.callbacks.StaffCb's prefix


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


def remove_buttons(listing: StaffListing) -> Keyboard | None:
    """«Удалить: <имя>» for each person the viewer (an owner) may remove, a row each."""
    buttons = [
        Button(t.BTN_REMOVE.format(name=name)[:64], pack(REMOVE, person))
        for person, name in listing.removable
    ]
    return rows(*buttons) if buttons else None


async def staff_list(v: Visit) -> None:
    """/staff (staff only, checked by the caller); MAX cuts a long list itself."""
    listing = await staff_listing(v.repo, v.ctx.roster, v.uid)
    await v.say(listing.text, remove_buttons(listing))


async def remove_pressed(ctx: MaxContext, update: JsonDict) -> bool:
    """«Удалить: <имя>»: members.remove checks that the presser is an owner; the pressed list
    becomes the list as it is now."""
    prefix, _, raw = updates.payload(update).partition(":")
    if prefix != REMOVE:
        return False

    async def act(v: Visit) -> None:
        person = person_id(raw)
        if person is None:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)
            return
        outcome = await members.remove(v.repo, ctx.roster, v.uid, person, ctx.clock.now())
        await updates.answer(ctx, update, t.REMOVE_OUTCOMES.get(outcome.value, ""))
        if outcome == members.Outcome.REMOVED:
            listing = await staff_listing(v.repo, ctx.roster, v.uid)
            await v.replace(listing.text, remove_buttons(listing))

    return await as_staff(ctx, update, act)


def register(routes: Routes) -> None:
    routes.add("message_callback", remove_pressed)
