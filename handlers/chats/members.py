"""What Telegram reports about chats: the bot added to or removed from a chat (my_chat_member),
a group upgraded to a supergroup (the migrate service messages), a renamed group or channel,
a person blocking the bot, the bot restricted in a group or demoted in a channel (it stays but
cannot post: admins hear of it for a chat that gets broadcasts). Whoever adds the bot to a
group gets no broadcasts there until an admin binds it, so a new chat only reaches the admins
with the buttons to bind it. Anyone can add a bot to any group: additions by people who are not
admins reach the admins at most once an hour (the others counted in the next notice), and the
titles and names they chose are shown as code, so a link in them is never live."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramMigrateToChat
from aiogram.filters import (
    ADMINISTRATOR,
    CREATOR,
    JOIN_TRANSITION,
    KICKED,
    LEAVE_TRANSITION,
    MEMBER,
    RESTRICTED,
    ChatMemberUpdatedFilter,
)
from aiogram.types import ChatMemberUpdated, InlineKeyboardMarkup, Message
from aiogram.types import User as TgUser

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.chats import registry
from bot.services.chats.notice_gate import NoticeGate
from bot.services.staff.roster import Roster
from bot.texts import chats as t
from handlers.chats.shared import CHAT_KINDS, GROUPS
from handlers.tg.keyboards import chats as kb
from storage.repositories import Repositories

log = logging.getLogger(__name__)


def _who(user: TgUser) -> str:
    username = f" @{user.username}" if user.username else ""
    return f"{user.full_name}{username} (id {user.id})"


# --------------------------------------------------------------------------- my_chat_member


async def _tell_admins(
    bot: Bot, settings: Settings, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.send_message(admin_id, text, reply_markup=markup)
        except TelegramAPIError as exc:  # an admin who never opened the bot
            log.warning("admin %s not told about a chat: %s", admin_id, exc)


async def _upgraded_from(bot: Bot, repo: Repositories, chat_id: int, title: str) -> int | None:
    """The basic group this new supergroup was, when Telegram reported the bot «joining» it
    before the migrate messages (a group upgraded right after the bot was added): a known
    group of the same title that Telegram now says moved here."""
    for group in await repo.chats.groups_titled(title):
        try:
            await bot.get_chat(group.id)
        except TelegramMigrateToChat as exc:
            if exc.migrate_to_chat_id == chat_id:
                return group.id
        except TelegramAPIError as exc:
            log.info("chat %s not checked for an upgrade: %s", group.id, exc)
    return None


async def bot_added(
    event: ChatMemberUpdated,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
    clock: Clock,
    strangers: NoticeGate,
    roster: Roster,
) -> None:
    chat = event.chat
    if await registry.is_upgrade(repo, chat.id):
        log.info("bot in chat %s: the supergroup a bound group became", chat.id)
        return
    if chat.type == "supergroup":
        old = await _upgraded_from(bot, repo, chat.id, chat.title or "")
        if old is not None:  # the migrate messages will find the move done
            await registry.migrated(repo, old, chat.id, chat.title)
            log.info("bot in chat %s: the supergroup the group %s just became", chat.id, old)
            return
    bound = await registry.joined(
        repo, chat.id, chat.type, chat.title or "", added_by=event.from_user.id
    )
    log.info("bot added to chat %s by user %s", chat.id, event.from_user.id)
    held = 0
    if not await roster.is_staff(event.from_user.id, repo):
        admitted = await strangers.admit(clock.now())
        if admitted is None:
            return  # counted; the next notice (or /chats) shows it
        held = admitted
    text = fill(
        t.ADDED,
        kind=t.KIND_INTO.get(chat.type, chat.type),
        title=chat.title or "",
        chat_id=chat.id,
        who=_who(event.from_user),
    )
    username = (await bot.me()).username or ""
    inside = fill(t.BIND_FROM_INSIDE_TG, bot=username) if username else t.BIND_FROM_INSIDE
    text += registry.added_state(bound, t.BIND_BY_BUTTON if chat.type == "channel" else inside)
    if held:
        text += fill(t.ADDED_HELD, count=held)
    await _tell_admins(bot, settings, text, kb.bind_chat(chat.id, bound))


async def bot_removed(
    event: ChatMemberUpdated, repo: Repositories, settings: Settings, bot: Bot
) -> None:
    """Broadcasts stop there; staff hear it when the group was bound to an audience."""
    chat = await registry.left(repo, event.chat.id)
    if chat is None:
        return
    log.info("bot removed from chat %s", event.chat.id)
    notice = registry.removed_notice(chat, chat.id)
    if notice is not None:
        await _tell_admins(bot, settings, notice, None)


async def _writes(bot: Bot, chat_id: int, member: object) -> bool:
    """Whether the bot so placed may send messages: a restricted member by its own flag, a
    plain member by the group's defaults (a read-only announcement chat: only admins write)."""
    if getattr(member, "status", "") != "member":
        return bool(getattr(member, "can_send_messages", True))
    try:
        permissions = (await bot.get_chat(chat_id)).permissions
    except TelegramAPIError as exc:
        log.info("permissions of chat %s unknown: %s", chat_id, exc)
        return True
    return permissions is None or permissions.can_send_messages is not False


async def rights_changed(
    event: ChatMemberUpdated, repo: Repositories, settings: Settings, bot: Bot
) -> None:
    """A group admin restricted the bot, demoted it in a chat where only admins write, or
    took a channel's admin rights away: it stays in the chat but cannot post, so the
    broadcasts bound there would fail unnoticed. Or the right came back: the staff who heard
    it was lost hear that it is not."""
    chat = event.chat
    if chat.type == "channel":
        muted = event.new_chat_member.status == "member"  # a subscriber: posts nothing
    else:
        before = await _writes(bot, chat.id, event.old_chat_member)
        after = await _writes(bot, chat.id, event.new_chat_member)
        if before == after:
            return  # restricted in something else (media, polls): text goes as it went
        muted = not after
    log.info("bot %s write in chat %s", "may not" if muted else "may again", chat.id)
    notice = await registry.muted_notice(repo, chat.id, muted=muted)
    if notice is not None:
        await _tell_admins(bot, settings, notice, None)


async def user_blocked(event: ChatMemberUpdated, repo: Repositories) -> None:
    await repo.users.set_active(event.chat.id, False)
    await repo.commit()


async def user_unblocked(event: ChatMemberUpdated, repo: Repositories) -> None:
    await repo.users.set_active(event.chat.id, True)
    await repo.commit()


# --------------------------------------------------------------------------- service messages


async def migrated_to(message: Message, repo: Repositories) -> None:
    """Sent in the old group: it is now the supergroup `migrate_to_chat_id`."""
    assert message.migrate_to_chat_id is not None
    await registry.migrated(repo, message.chat.id, message.migrate_to_chat_id, message.chat.title)
    log.info("chat %s migrated to %s", message.chat.id, message.migrate_to_chat_id)


async def migrated_from(message: Message, repo: Repositories) -> None:
    """Sent in the new supergroup: it used to be the group `migrate_from_chat_id`."""
    assert message.migrate_from_chat_id is not None
    await registry.migrated(
        repo, message.migrate_from_chat_id, message.chat.id, message.chat.title
    )


async def title_changed(message: Message, repo: Repositories) -> None:
    await registry.renamed(repo, message.chat.id, message.new_chat_title or "")


def create_router() -> Router:
    """my_chat_member and the service messages; mounted in handlers.chats."""
    router = Router(name=__name__)
    in_chats, in_groups = F.chat.type.in_(CHAT_KINDS), F.chat.type.in_(GROUPS)
    private = F.chat.type == "private"
    # `strangers`: the process's gate (Services.strangers, shared through Redis)
    router.my_chat_member.register(bot_added, in_chats, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.my_chat_member.register(
        bot_removed, in_chats, ChatMemberUpdatedFilter(LEAVE_TRANSITION)
    )
    # still a member, but no longer a writer or a writer again: restricted or freed in a
    # group, demoted or promoted in a channel
    writers, in_channel = MEMBER | ADMINISTRATOR | CREATOR | +RESTRICTED, F.chat.type == "channel"
    for change, where in (
        (writers >> +RESTRICTED, in_groups), (+RESTRICTED >> writers, in_groups),
        (ADMINISTRATOR >> MEMBER, in_groups), (MEMBER >> ADMINISTRATOR, in_groups),
        (ADMINISTRATOR >> MEMBER, in_channel), (MEMBER >> ADMINISTRATOR, in_channel),
    ):  # fmt: skip
        router.my_chat_member.register(rights_changed, where, ChatMemberUpdatedFilter(change))
    router.my_chat_member.register(user_blocked, private, ChatMemberUpdatedFilter(KICKED))
    router.my_chat_member.register(
        user_unblocked, private, ChatMemberUpdatedFilter(KICKED >> MEMBER)
    )
    router.message.register(migrated_to, F.migrate_to_chat_id)
    router.message.register(migrated_from, F.migrate_from_chat_id)
    router.message.register(title_changed, in_groups, F.new_chat_title)
    # a channel's service messages come as channel posts: a renamed directors' channel too
    router.channel_post.register(title_changed, F.new_chat_title)
    return router
