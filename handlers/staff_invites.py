"""Staff without restarts: /invite (owners) makes a one-time invite link, opening it
(`/start staff_<token>`) makes that person staff, /staff lists staff with «Удалить» for owners.

The decisions are bot.services.staff.members' (signed single-use links, owners only, audit
log); this router only speaks Telegram. Private chats only: a link in a group would invite
whoever taps it first.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.staff import members
from bot.services.staff.listing import StaffListing, staff_listing
from bot.services.staff.roster import Roster
from bot.texts import staff as t
from handlers.tg import deep_links
from handlers.tg.callbacks import StaffCb
from handlers.tg.edits import drop_keyboard, edit_or_send
from handlers.tg.filters import IsAdmin, IsOwner
from handlers.tg.keyboards import main_menu
from storage.models import User
from storage.repositories import Repositories


async def make_invite(
    message: Message, repo: Repositories, settings: Settings, roster: Roster, bot: Bot,
    clock: Clock,
) -> None:  # fmt: skip
    assert message.from_user is not None  # IsOwner passed
    made = await members.invite(repo, settings, message.from_user.id, clock.now())
    links = made.links(roster)
    links.setdefault("tg", await create_start_link(bot, f"{members.INVITE_PREFIX}{made.token}"))
    shown = "\n".join(f"{name}: {links[key]}" for key, name in CHANNELS.items() if key in links)
    until = made.expires.astimezone(settings.tz).strftime("%d.%m.%Y %H:%M")
    await message.answer(fill(t.INVITE_LINK, link=shown, until=until))


CHANNELS = {"tg": "Telegram", "max": "MAX"}


async def owners_only(message: Message) -> None:
    await message.answer(t.INVITE_OWNERS_ONLY)


async def private_only(message: Message) -> None:
    await message.answer(t.INVITE_PRIVATE_ONLY)


async def accept(
    message: Message, command: CommandObject, repo: Repositories, settings: Settings,
    roster: Roster, clock: Clock, user: User | None = None,
) -> None:  # fmt: skip
    """The newcomer gets the staff keyboard with the welcome («📨 Обращения», «📣 Рассылка»)."""
    assert message.from_user is not None
    token = deep_links.staff_token(command)
    outcome = await members.accept(
        repo, settings, roster, token, message.from_user.id, clock.now()
    )
    joined = outcome == members.Outcome.JOINED
    role = user.role if user is not None else None
    keyboard = main_menu(role, is_admin=True) if joined else None
    await message.answer(t.INVITE_OUTCOMES[outcome.value], reply_markup=keyboard)


def _buttons(listing: StaffListing) -> InlineKeyboardMarkup | None:
    buttons = [
        [InlineKeyboardButton(text=t.BTN_REMOVE.format(name=name)[:64], callback_data=data)]
        for person, name in listing.removable
        for data in [StaffCb(person=person).pack()]
    ]
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None


async def _send_listing(message: Message, listing: StaffListing) -> None:
    """The list in as many messages as it takes; «Удалить» under the last."""
    *head, last = listing.parts
    for part in head:
        await message.answer(part)
    await message.answer(last, reply_markup=_buttons(listing))


async def staff_list(message: Message, repo: Repositories, roster: Roster) -> None:
    assert message.from_user is not None
    await _send_listing(message, await staff_listing(repo, roster, message.from_user.id))


async def remove(
    query: CallbackQuery, callback_data: StaffCb, repo: Repositories, roster: Roster, clock: Clock
) -> None:
    actor = query.from_user.id
    outcome = await members.remove(repo, roster, actor, callback_data.person, clock.now())
    await query.answer(t.REMOVE_OUTCOMES.get(outcome.value, ""), show_alert=True)
    if outcome != members.Outcome.REMOVED or not isinstance(query.message, Message):
        return
    listing = await staff_listing(repo, roster, actor)
    if len(listing.parts) == 1:  # the pressed list becomes the list as it is now
        # a list Telegram will not edit (deleted meanwhile, «can't be edited»): it comes anew
        await edit_or_send(query, listing.text, _buttons(listing))
        return
    # a list of several messages cannot be edited as one: the old buttons go, the new list
    # comes whole
    await drop_keyboard(query)
    await _send_listing(query.message, listing)


async def not_admin(message: Message) -> None:
    await message.answer(texts.ADMIN_ONLY)


def create_router() -> Router:
    router = Router(name=__name__)
    private = F.chat.type == "private"
    router.message.register(accept, deep_links.staff_start(), private)
    # who may comes first: a parent's /invite in a group is no reason to write it privately
    router.message.register(owners_only, Command("invite"), ~IsOwner())
    router.message.register(private_only, Command("invite"), ~private)
    router.message.register(make_invite, Command("invite"))
    router.message.register(not_admin, Command("staff"), private, ~IsAdmin())
    router.message.register(staff_list, Command("staff"), private)
    router.callback_query.register(remove, StaffCb.filter())
    return router
