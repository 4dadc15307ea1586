"""«Ознакомлен» and «Отписаться» under a broadcast, pressed in MAX.

The payloads are the Telegram ones (`ack:<broadcast>`, `unsub:<audience>`, see
`handlers.max.broadcast_channel`), and so are the rules: one mark per person per broadcast
(the unique key in `acks` decides), «Отписаться» ends one private subscription. People are
recorded under internal ids, so a MAX press and a Telegram press never collide. A press
counts only for a broadcast that had «Ознакомлен» and from a chat it was delivered to.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.core.messages import Unreachable
from bot.services.chats import registry
from bot.texts import broadcasts as tb
from bot.texts import chats as t
from bot.texts import max as max_texts
from broadcasts import service
from handlers.max import updates
from handlers.max.client import MaxError
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import visit
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES

log = logging.getLogger(__name__)
SHARED_CHATS: Final = ("chat", "channel")  # MAX's chat types other than a dialog
PREVIEW_ID: Final = 0  # handlers.tg.callbacks.PREVIEW_ID: a preview's button carries no broadcast


def _press(update: JsonDict) -> tuple[str, str, JsonDict, JsonDict]:
    """(payload, callback_id, the presser, the recipient of the pressed message)."""
    callback = update.get("callback") or {}
    recipient = (update.get("message") or {}).get("recipient") or {}
    user = dict(callback.get("user") or {})
    payload, callback_id = (
        str(callback.get("payload") or ""),
        str(callback.get("callback_id") or ""),
    )
    return payload, callback_id, user, recipient


async def _answer(ctx: MaxContext, callback_id: str, notification: str) -> None:
    try:
        await updates.answer_callback(ctx, callback_id, notification=notification[:200])
    except MaxError as exc:
        log.info("callback %s not answered: %s", callback_id, exc)


async def acknowledge(ctx: MaxContext, update: JsonDict) -> bool:
    payload, callback_id, user, recipient = _press(update)
    prefix, _, raw = payload.partition(":")
    if prefix != "ack":
        return False
    broadcast_id = updates.number(raw)
    if broadcast_id is None or not isinstance(user.get("user_id"), int):
        await _answer(ctx, callback_id, max_texts.STALE_BUTTON_GROUP)
        return True
    if broadcast_id == PREVIEW_ID:
        await _answer(ctx, callback_id, tb.ACK_PREVIEW)
        return True
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        person = await repo.channel_ids.internal("max", "user", user["user_id"])
        # a group («chat») or a channel: the mark is the chat's, as a Telegram channel's is
        where = recipient.get("chat_id")
        chat_id = (
            await repo.channel_ids.internal("max", "chat", int(where))
            if recipient.get("chat_type") in SHARED_CHATS and where is not None
            else person  # a private delivery is recorded under the person, as in Telegram
        )
        refusal = await service.ack_refusal(session, broadcast_id, chat_id)
        if refusal is not None:  # a forged payload: no button there, or never sent there
            await repo.rollback()  # the ids just made for a stranger are not kept
            await _answer(ctx, callback_id, tb.ACK_REFUSALS[refusal])
            return True
        name = updates.full_name(user)
        recorded = await service.record_ack(session, broadcast_id, chat_id, person, name)
        await repo.commit()
    await _answer(ctx, callback_id, tb.ACK_THANKS if recorded else tb.ACK_AGAIN)
    return True


async def unsubscribe(ctx: MaxContext, update: JsonDict) -> bool:
    payload, callback_id, user, _ = _press(update)
    prefix, _, audience = payload.partition(":")
    if prefix != "unsub":
        return False
    if audience not in AUDIENCES or not isinstance(user.get("user_id"), int):
        await _answer(ctx, callback_id, max_texts.STALE_BUTTON_GROUP)
        return True
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        person = await repo.channel_ids.internal("max", "user", user["user_id"])
        done = await registry.unsubscribe_one(repo, person, audience)
    await _answer(ctx, callback_id, done.toast)
    if done.message is None:
        return True
    try:
        await ctx.messenger.send(person, done.message, done.buttons)
    except Unreachable as exc:
        log.info("unsubscribed MAX user %s not told: %s", person, exc.reason)
    return True


async def resubscribe(ctx: MaxContext, update: JsonDict) -> bool:
    """«Подписаться снова» under «Вы отписались…», as Telegram's ResubCb."""
    payload, callback_id, user, _ = _press(update)
    prefix, _, audience = payload.partition(":")
    if prefix != registry.RESUB_ACTION:
        return False
    if not isinstance(user.get("user_id"), int):
        await _answer(ctx, callback_id, max_texts.STALE_BUTTON_GROUP)
        return True
    # `visit` makes the person's row, as Telegram's middleware does for every update: after
    # /forget_me the old button is a fresh start, and a subscription needs a person to belong to
    async with visit(ctx, update) as v:
        if v is None:
            return False
        person = v.uid
        said = await registry.resubscribe(v.repo, person, audience)
    if said is None:  # a forged audience
        await _answer(ctx, callback_id, max_texts.STALE_BUTTON_GROUP)
        return True
    await _answer(ctx, callback_id, t.RESUB_TOAST)
    try:
        await ctx.messenger.send(person, said)
    except Unreachable as exc:
        log.info("resubscribed MAX user %s not told: %s", person, exc.reason)
    return True


def register(routes: Routes) -> None:
    routes.add("message_callback", acknowledge)
    routes.add("message_callback", unsubscribe)
    routes.add("message_callback", resubscribe)
