"""Private news subscriptions: /subscribe (by the user's role), /unsubscribe, the one-tap
«Отписаться» under a private broadcast and «Отписаться» typed as words."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.markup import TOAST_LIMIT, clip
from bot.core.words import means_subscribe, means_unsubscribe
from bot.services.chats import registry
from bot.texts import chats as t
from handlers.tg import keyboards
from handlers.tg.callbacks import ResubCb, UnsubCb
from handlers.tg.edits import send_to_chat
from handlers.tg.messenger import markup
from storage.models import User
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES


async def subscribe(
    message: Message, repo: Repositories, user: User | None, is_admin: bool
) -> None:
    if user is None or user.role is None:  # the role buttons with it, as MAX does
        await message.answer(t.SUBSCRIBE_PICK_ROLE, reply_markup=keyboards.roles(is_admin))
        return
    await message.answer(await registry.subscribe_by_role(repo, user.id, user.role))


async def unsubscribe(message: Message, repo: Repositories, user: User | None) -> None:
    if user is None:
        await message.answer(t.NOT_SUBSCRIBED)
        return
    await message.answer(await registry.unsubscribe_all(repo, user.id))


async def unsubscribe_typed(message: Message, repo: Repositories, user: User | None) -> None:
    """«Отписаться», «не присылайте новости» typed: the FAQ took them for the Navigator."""
    if user is None:
        await message.answer(t.NOT_SUBSCRIBED_TYPED)
        return
    text, buttons = await registry.unsubscribe_offer(repo, user.id)
    await message.answer(text, reply_markup=markup(buttons))


async def unsubscribe_cb(query: CallbackQuery, callback_data: UnsubCb, repo: Repositories) -> None:
    """«Отписаться» under a private broadcast: one tap, no questions."""
    if callback_data.a not in AUDIENCES:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    done = await registry.unsubscribe_one(repo, query.from_user.id, callback_data.a)
    await query.answer(clip(done.toast, TOAST_LIMIT))
    if done.message is not None:
        await send_to_chat(query, done.message, markup(done.buttons))


async def resubscribe_cb(query: CallbackQuery, callback_data: ResubCb, repo: Repositories) -> None:
    """«Подписаться снова»: the audience just left, whatever the person's role now is."""
    said = await registry.resubscribe(repo, query.from_user.id, callback_data.a)
    if said is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer(t.RESUB_TOAST)
    await send_to_chat(query, said)


def create_router() -> Router:
    """Mounted in handlers.chats."""
    router = Router(name=__name__)
    private = F.chat.type == "private"
    router.message.register(subscribe, private, Command("subscribe"))
    router.message.register(subscribe, private, F.text == t.BTN_SUBSCRIBE)
    router.message.register(subscribe, private, F.text.func(means_subscribe), StateFilter(None))
    router.message.register(unsubscribe, private, Command("unsubscribe"))
    typed = F.text.func(means_unsubscribe)
    router.message.register(unsubscribe_typed, private, typed, StateFilter(None))
    router.callback_query.register(unsubscribe_cb, UnsubCb.filter())
    router.callback_query.register(resubscribe_cb, ResubCb.filter())
    return router
