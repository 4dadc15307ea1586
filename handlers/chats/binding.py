"""Binding a chat to an audience and tagging it: /bind, /unbind, /tag, /untag in the group, the
audience buttons under a bare /bind and the ones admins get when the bot is added. Binding is an
admin's decision, checked here against ADMIN_IDS."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.types import Chat as TgChat

from bot import texts
from bot.core.markup import fill
from bot.texts import chats as t
from handlers.chats.shared import GROUPS, atomically, audience_list, not_admin, toast
from handlers.tg.callbacks import BindCb
from handlers.tg.edits import edit_or_send
from handlers.tg.filters import IsAdmin
from handlers.tg.keyboards import chats as kb
from storage.models import Chat
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES, audiences_of, clean_tag, tags_of

GROUP_COMMANDS = ("bind", "unbind", "tag", "untag")


def chat_state(chat: Chat) -> str:
    tags = ", ".join(tags_of(chat)) or t.NOTHING
    return fill(
        t.CHAT_STATE, title=chat.title, audiences=audience_list(audiences_of(chat)), tags=tags
    )


def _parse_tags(raw: Iterable[str]) -> tuple[list[str], list[str]]:
    """(clean tags, rejected originals)."""
    cleaned = [(word, clean_tag(word)) for word in raw]
    return [tag for _, tag in cleaned if tag], [word for word, tag in cleaned if tag is None]


async def _register(repo: Repositories, chat: TgChat) -> Chat:
    row, _ = await repo.chats.upsert(chat.id, chat.type, chat.title or "")
    return row


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


def create_router() -> Router:
    """Group commands and the bind buttons; mounted in handlers.chats."""
    router = Router(name=__name__)
    in_groups = F.chat.type.in_(GROUPS)
    router.message.register(not_admin, in_groups, Command(*GROUP_COMMANDS), ~IsAdmin())
    router.message.register(bind_command, in_groups, Command("bind"))
    router.message.register(unbind_command, in_groups, Command("unbind"))
    router.message.register(tag_command, in_groups, Command("tag", "untag"))
    router.callback_query.register(not_admin_cb, BindCb.filter(), ~IsAdmin())
    router.callback_query.register(not_admin_cb, kb.BindChatCb.filter(), ~IsAdmin())
    router.callback_query.register(bind_here_cb, BindCb.filter())
    router.callback_query.register(bind_chat_cb, kb.BindChatCb.filter())
    return router
