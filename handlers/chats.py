"""The chat registry kept by Telegram's own signals, plus private news subscriptions.

Broadcasts go only where this registry says, so it follows what Telegram reports: the bot
added to or removed from a chat (my_chat_member), a group upgraded to a supergroup (the
migrate service messages), a person blocking the bot. Binding a chat to an audience is an
admin's decision, checked here against ADMIN_IDS: whoever adds the bot to a group gets no
broadcasts there until an admin binds it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import (
    JOIN_TRANSITION,
    KICKED,
    LEAVE_TRANSITION,
    MEMBER,
    ChatMemberUpdatedFilter,
    Command,
    CommandObject,
)
from aiogram.types import CallbackQuery, ChatMemberUpdated, InlineKeyboardMarkup, Message
from aiogram.types import Chat as TgChat
from aiogram.types import User as TgUser
from sqlalchemy.exc import IntegrityError

from bot import texts
from bot.callbacks import BindCb, UnsubCb
from bot.config import Settings
from bot.filters import IsAdmin
from bot.keyboards import chats as kb
from bot.render import MESSAGE_LIMIT, clip, fill, q
from bot.texts import chats as t
from bot.tg import edit_or_send, send_to_chat
from storage.models import Chat, User
from storage.repositories import Repositories
from storage.repositories.chats import (
    AUDIENCES,
    ROLE_AUDIENCE,
    audiences_of,
    clean_tag,
    tags_of,
)

log = logging.getLogger(__name__)
GROUPS = frozenset({"group", "supergroup"})
CHAT_KINDS = GROUPS | {"channel"}
GROUP_COMMANDS = ("bind", "unbind", "tag", "untag")
T = TypeVar("T")


# --------------------------------------------------------------------------- rendering


def audience_list(audiences: Iterable[str]) -> str:
    return ", ".join(t.AUDIENCE_TITLES.get(a, a) for a in audiences) or t.NOTHING


def chat_state(chat: Chat) -> str:
    tags = ", ".join(tags_of(chat)) or t.NOTHING
    return fill(
        t.CHAT_STATE, title=chat.title, audiences=audience_list(audiences_of(chat)), tags=tags
    )


def _registry_line(chat: Chat) -> str:
    audiences = audiences_of(chat)
    shown = q(audience_list(audiences)) if audiences else t.CHATS_NO_AUDIENCE
    tags = clip(" ".join(f"#{tag}" for tag in tags_of(chat)), 300)
    return t.CHATS_LINE.format(
        title=q(chat.title or "—"),
        kind=q(t.KIND_TITLES.get(chat.kind, chat.kind)),
        chat_id=chat.id,
        audiences=shown,
        tags=f" · {q(tags)}" if tags else "",
    )


def render_registry(
    chats: Sequence[Chat], counts: Mapping[str, int], subscribers: Mapping[str, int]
) -> list[str]:
    """The /chats report as Telegram-sized messages, cut only between lines."""
    lines = [t.CHATS_TITLE]
    for audience in AUDIENCES:
        title = t.AUDIENCE_TITLES[audience]
        chats_n, subs_n = counts.get(audience, 0), subscribers.get(audience, 0)
        lines.append(fill(t.CHATS_COUNTS_LINE, audience=title, chats=chats_n, subscribers=subs_n))
    active = [c for c in chats if c.is_active]
    inactive = [c for c in chats if not c.is_active]
    lines.append("")
    if not chats:
        lines.append(t.CHATS_NONE)
    if active:
        lines.append(fill(t.CHATS_ACTIVE, count=len(active)))
        lines.extend(_registry_line(c) for c in active)
    if inactive:
        migrated = sum(1 for c in inactive if c.migrated_to is not None)
        removed = len(inactive) - migrated
        lines += [
            "",
            fill(t.CHATS_INACTIVE, total=len(inactive), removed=removed, migrated=migrated),
        ]
    return pack_lines(lines)


def pack_lines(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters; HTML tags never span lines."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return parts


def _who(user: TgUser) -> str:
    username = f" @{user.username}" if user.username else ""
    return f"{user.full_name}{username} (id {user.id})"


def toast(template: str, **values: object) -> str:
    """A callback answer: plain text (no HTML, so nothing to escape), at most 200 chars."""
    return clip(template.format(**values), 200)


def _parse_tags(raw: Iterable[str]) -> tuple[list[str], list[str]]:
    """(clean tags, rejected originals)."""
    cleaned = [(word, clean_tag(word)) for word in raw]
    return [tag for _, tag in cleaned if tag], [word for word, tag in cleaned if tag is None]


# --------------------------------------------------------------------------- my_chat_member


async def _tell_admins(
    bot: Bot, settings: Settings, text: str, markup: InlineKeyboardMarkup
) -> None:
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.send_message(admin_id, text, reply_markup=markup)
        except TelegramAPIError as exc:  # an admin who never opened the bot
            log.warning("admin %s not told about a new chat: %s", admin_id, exc)


async def bot_added(
    event: ChatMemberUpdated, repo: Repositories, settings: Settings, bot: Bot
) -> None:
    chat = event.chat

    async def work() -> list[str]:
        row, _ = await repo.chats.upsert(
            chat.id, chat.type, chat.title or "", added_by=event.from_user.id
        )
        return audiences_of(row)

    bound = await atomically(repo, work)
    log.info("bot added to chat %s by user %s", chat.id, event.from_user.id)
    text = fill(
        t.ADDED,
        kind=t.KIND_TITLES.get(chat.type, chat.type),
        title=chat.title or "",
        chat_id=chat.id,
        who=_who(event.from_user),
        audiences=audience_list(bound),
    )
    await _tell_admins(bot, settings, text, kb.bind_chat(chat.id, bound))


async def bot_removed(event: ChatMemberUpdated, repo: Repositories) -> None:
    if await repo.chats.set_active(event.chat.id, False):
        await repo.commit()
        log.info("bot removed from chat %s", event.chat.id)


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
    await _migrate(repo, message.chat.id, message.migrate_to_chat_id, message.chat.title)
    log.info("chat %s migrated to %s", message.chat.id, message.migrate_to_chat_id)


async def migrated_from(message: Message, repo: Repositories) -> None:
    """Sent in the new supergroup: it used to be the group `migrate_from_chat_id`."""
    assert message.migrate_from_chat_id is not None
    await _migrate(repo, message.migrate_from_chat_id, message.chat.id, message.chat.title)


async def _migrate(repo: Repositories, old_id: int, new_id: int, title: str | None) -> None:
    """Both reports arrive at once and race to create the supergroup's row: one wins."""

    async def work() -> Chat:
        return await repo.chats.migrate(old_id, new_id, title)

    await atomically(repo, work)


async def title_changed(message: Message, repo: Repositories) -> None:
    if await repo.chats.rename(message.chat.id, message.new_chat_title or ""):
        await repo.commit()


async def _register(repo: Repositories, chat: TgChat) -> Chat:
    row, _ = await repo.chats.upsert(chat.id, chat.type, chat.title or "")
    return row


async def atomically(repo: Repositories, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` and commit once. If a concurrent update inserted the same row first (two
    taps, two migration reports), roll back and run it again: now it finds the row."""
    try:
        result = await work()
        await repo.commit()
    except IntegrityError:
        log.info("a concurrent update wrote the same row first; running once more")
        await repo.rollback()
        result = await work()
        await repo.commit()
    return result


# --------------------------------------------------------------------------- group commands


async def not_admin(message: Message) -> None:
    await message.reply(texts.ADMIN_ONLY)


async def not_admin_cb(query: CallbackQuery) -> None:
    await query.answer(texts.ADMIN_ONLY, show_alert=True)


async def bind_command(message: Message, command: CommandObject, repo: Repositories) -> None:
    words = (command.args or "").split()
    existing = await repo.chats.get(message.chat.id)
    bound = audiences_of(existing) if existing else []
    if not words:
        await message.reply(t.BIND_PICK, reply_markup=kb.bind_here(bound))
        return
    audience = words[0].lower()
    if audience not in AUDIENCES:
        await message.reply(fill(t.BIND_USAGE, given=words[0]), reply_markup=kb.bind_here(bound))
        return
    tags, bad = _parse_tags(words[1:])
    if bad:
        await message.reply(fill(t.BAD_TAGS, tags=", ".join(bad)))
        return

    async def work() -> Chat:
        chat = await _register(repo, message.chat)
        await repo.chats.bind(chat.id, audience)
        await repo.chats.add_tags(chat.id, tags)
        return chat

    await message.reply(chat_state(await atomically(repo, work)))


async def unbind_command(message: Message, command: CommandObject, repo: Repositories) -> None:
    words = (command.args or "").split()
    audience = words[0].lower() if words else None
    if audience is not None and audience not in AUDIENCES:
        await message.reply(fill(t.BIND_USAGE, given=words[0]))
        return
    chat = await repo.chats.get(message.chat.id)
    if chat is None:
        await message.reply(t.NOT_REGISTERED)
        return
    await repo.chats.unbind(chat.id, audience)
    await repo.commit()
    await message.reply(chat_state(chat))


async def tag_command(message: Message, command: CommandObject, repo: Repositories) -> None:
    name = command.command.lower()
    tags, bad = _parse_tags((command.args or "").split())
    if bad or not tags:
        reply = fill(t.BAD_TAGS, tags=", ".join(bad)) if bad else fill(t.TAG_USAGE, command=name)
        await message.reply(reply)
        return

    async def work() -> Chat | None:
        if name == "tag":
            chat = await _register(repo, message.chat)
            await repo.chats.add_tags(chat.id, tags)
            return chat
        found = await repo.chats.get(message.chat.id)
        if found is not None:
            await repo.chats.remove_tags(found.id, tags)
        return found

    chat = await atomically(repo, work)
    await message.reply(chat_state(chat) if chat is not None else t.NOT_REGISTERED)


async def bind_here_cb(query: CallbackQuery, callback_data: BindCb, repo: Repositories) -> None:
    """An audience button under a bare /bind, pressed in the group itself."""
    message = query.message
    if callback_data.a not in AUDIENCES or message is None or message.chat.type not in GROUPS:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    tg_chat = message.chat

    async def work() -> Chat:
        chat = await _register(repo, tg_chat)
        await repo.chats.bind(chat.id, callback_data.a)
        return chat

    chat = await atomically(repo, work)
    await query.answer(
        toast(t.BOUND_TOAST, title=chat.title, audiences=audience_list(audiences_of(chat)))
    )
    await edit_or_send(query, chat_state(chat), kb.bind_here(audiences_of(chat)))


async def bind_chat_cb(
    query: CallbackQuery, callback_data: kb.BindChatCb, repo: Repositories
) -> None:
    """An audience button in an admin's private chat: toggles that audience of the chat."""
    if callback_data.a not in AUDIENCES:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return

    async def work() -> Chat | None:
        chat = await repo.chats.current(callback_data.chat)
        if chat is None or not chat.is_active:
            return chat
        if callback_data.a in audiences_of(chat):
            await repo.chats.unbind(chat.id, callback_data.a)
        else:
            await repo.chats.bind(chat.id, callback_data.a)
        return chat

    chat = await atomically(repo, work)
    if chat is None or not chat.is_active:
        await query.answer(t.CHAT_GONE if chat is None else t.CHAT_INACTIVE, show_alert=True)
        return
    bound = audiences_of(chat)
    await query.answer(toast(t.BOUND_TOAST, title=chat.title, audiences=audience_list(bound)))
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=kb.bind_chat(chat.id, bound))


# --------------------------------------------------------------------------- /chats


async def chats_command(message: Message, repo: Repositories) -> None:
    chats = await repo.chats.all()
    counts = await repo.chats.counts()
    subscribers = await repo.chats.subscriber_counts()
    for part in render_registry(chats, counts, subscribers):
        await message.answer(part)


# --------------------------------------------------------------------------- subscriptions


async def subscribe(message: Message, repo: Repositories, user: User | None) -> None:
    audience = ROLE_AUDIENCE.get(user.role or "") if user is not None else None
    if user is None or audience is None:
        await message.answer(t.SUBSCRIBE_NEED_ROLE)
        return
    user_id = user.id

    async def work() -> bool:
        return await repo.chats.subscribe(user_id, audience)

    created = await atomically(repo, work)
    template = t.SUBSCRIBED if created else t.ALREADY_SUBSCRIBED
    await message.answer(fill(template, audience=t.AUDIENCE_TITLES[audience]))


async def unsubscribe(message: Message, repo: Repositories, user: User | None) -> None:
    removed = await repo.chats.unsubscribe(user.id) if user is not None else []
    await repo.commit()
    if not removed:
        await message.answer(t.NOT_SUBSCRIBED)
        return
    await message.answer(fill(t.UNSUBSCRIBED, audiences=audience_list(removed)))


async def unsubscribe_cb(query: CallbackQuery, callback_data: UnsubCb, repo: Repositories) -> None:
    """«Отписаться» under a private broadcast: one tap, no questions."""
    if callback_data.a not in AUDIENCES:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    removed = await repo.chats.unsubscribe(query.from_user.id, callback_data.a)
    await repo.commit()
    if not removed:
        await query.answer(t.UNSUB_ALREADY)
        return
    title = t.AUDIENCE_TITLES[callback_data.a]
    await query.answer(toast(t.UNSUB_TOAST, audience=title))
    await send_to_chat(query, fill(t.UNSUBSCRIBED, audiences=title))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    in_chats, in_groups = F.chat.type.in_(CHAT_KINDS), F.chat.type.in_(GROUPS)
    private = F.chat.type == "private"
    router.my_chat_member.register(bot_added, in_chats, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.my_chat_member.register(
        bot_removed, in_chats, ChatMemberUpdatedFilter(LEAVE_TRANSITION)
    )
    router.my_chat_member.register(user_blocked, private, ChatMemberUpdatedFilter(KICKED))
    router.my_chat_member.register(
        user_unblocked, private, ChatMemberUpdatedFilter(KICKED >> MEMBER)
    )
    router.message.register(migrated_to, F.migrate_to_chat_id)
    router.message.register(migrated_from, F.migrate_from_chat_id)
    router.message.register(title_changed, in_groups, F.new_chat_title)
    router.message.register(not_admin, in_groups, Command(*GROUP_COMMANDS), ~IsAdmin())
    router.message.register(bind_command, in_groups, Command("bind"))
    router.message.register(unbind_command, in_groups, Command("unbind"))
    router.message.register(tag_command, in_groups, Command("tag", "untag"))
    router.message.register(not_admin, private, Command("chats"), ~IsAdmin())
    router.message.register(chats_command, private, Command("chats"))
    router.message.register(subscribe, private, Command("subscribe"))
    router.message.register(subscribe, private, F.text == t.BTN_SUBSCRIBE)
    router.message.register(unsubscribe, private, Command("unsubscribe"))
    router.callback_query.register(not_admin_cb, BindCb.filter(), ~IsAdmin())
    router.callback_query.register(not_admin_cb, kb.BindChatCb.filter(), ~IsAdmin())
    router.callback_query.register(bind_here_cb, BindCb.filter())
    router.callback_query.register(bind_chat_cb, kb.BindChatCb.filter())
    router.callback_query.register(unsubscribe_cb, UnsubCb.filter())
    return router
