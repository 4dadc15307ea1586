"""Binding a chat to an audience and tagging it: /bind, /unbind, /tag, /untag in the group, the
audience buttons under a bare /bind and the ones admins get when the bot is added. Binding is an
admin's decision, checked here against ADMIN_IDS."""

from __future__ import annotations

from functools import partial

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.markup import fill
from bot.services.chats import registry
from bot.texts import chats as t
from handlers.chats.shared import GROUPS, not_admin
from handlers.tg.callbacks import BindCb
from handlers.tg.edits import edit_or_send
from handlers.tg.filters import IsAdmin
from handlers.tg.keyboards import chats as kb
from storage.models import Chat
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES, audiences_of

GROUP_COMMANDS = ("bind", "unbind", "tag", "untag")


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
    tags, bad = registry.parse_tags(words[1:])
    if bad:
        await message.reply(fill(t.BAD_TAGS, tags=", ".join(bad)))
        return
    chat = message.chat
    bound_chat = await registry.bind(repo, chat.id, chat.type, chat.title or "", audience, tags)
    await message.reply(registry.state_text(bound_chat))


async def unbind_command(message: Message, command: CommandObject, repo: Repositories) -> None:
    words = (command.args or "").split()
    audience = words[0].lower() if words else None
    if audience is not None and audience not in AUDIENCES:
        await message.reply(fill(t.BIND_USAGE, given=words[0]))
        return
    chat = await registry.unbind(repo, message.chat.id, audience)
    await message.reply(registry.state_text(chat) if chat is not None else t.NOT_REGISTERED)


async def tag_command(message: Message, command: CommandObject, repo: Repositories) -> None:
    name = command.command.lower()
    tags, bad = registry.parse_tags((command.args or "").split())
    if bad or not tags:
        reply = fill(t.BAD_TAGS, tags=", ".join(bad)) if bad else fill(t.TAG_USAGE, command=name)
        await message.reply(reply)
        return

    here = message.chat
    chat: Chat | None = (
        await registry.tag(repo, here.id, here.type, here.title or "", tags)
        if name == "tag"
        else await registry.untag(repo, here.id, tags)
    )
    await message.reply(registry.state_text(chat) if chat is not None else t.NOT_REGISTERED)


async def bind_here_cb(query: CallbackQuery, callback_data: BindCb, repo: Repositories) -> None:
    """An audience button under a bare /bind, pressed in the group itself."""
    message = query.message
    if callback_data.a not in AUDIENCES or message is None or message.chat.type not in GROUPS:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    here = message.chat
    chat = await registry.bind(repo, here.id, here.type, here.title or "", callback_data.a, [])
    await query.answer(registry.bound_toast(chat))
    await edit_or_send(query, registry.state_text(chat), kb.bind_here(audiences_of(chat)))


async def bind_chat_cb(
    query: CallbackQuery, callback_data: kb.BindChatCb, repo: Repositories
) -> None:
    """An audience button in an admin's private chat: toggles that audience of the chat."""
    if callback_data.a not in AUDIENCES:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return

    chat = await registry.toggle(repo, callback_data.chat, callback_data.a)
    if chat is None or not chat.is_active:
        await query.answer(t.CHAT_GONE if chat is None else t.CHAT_INACTIVE, show_alert=True)
        return
    await query.answer(registry.bound_toast(chat))
    # the notice said «получает рассылки для: нет» above the ticked button; as in MAX it now
    # says what the chat gets
    await edit_or_send(query, registry.state_text(chat), kb.bind_chat(chat.id, audiences_of(chat)))


def create_router() -> Router:
    """Group commands and the bind buttons; mounted in handlers.chats."""
    router = Router(name=__name__)
    in_groups = F.chat.type.in_(GROUPS)
    refuse = partial(not_admin, refusal=t.BIND_STAFF_ONLY)
    router.message.register(refuse, in_groups, Command(*GROUP_COMMANDS), ~IsAdmin())
    router.message.register(bind_command, in_groups, Command("bind"))
    router.message.register(unbind_command, in_groups, Command("unbind"))
    router.message.register(tag_command, in_groups, Command("tag", "untag"))
    router.callback_query.register(not_admin_cb, BindCb.filter(), ~IsAdmin())
    router.callback_query.register(not_admin_cb, kb.BindChatCb.filter(), ~IsAdmin())
    router.callback_query.register(bind_here_cb, BindCb.filter())
    router.callback_query.register(bind_chat_cb, kb.BindChatCb.filter())
    return router
