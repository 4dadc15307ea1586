"""«Ознакомлен» under a broadcast, pressed in a group, a channel or a private chat.

One mark per person per broadcast: the unique key in `acks` decides, so a second press (or two
presses at once) records nothing more. Group members are not stored as users; the name is kept
with the mark only so staff can see who read the announcement. A press is checked against
the broadcast (it had the button) and the ledger (it reached this chat): payloads can be forged.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.texts import broadcasts as t
from broadcasts import service
from handlers.tg.callbacks import PREVIEW_ID, AckCb
from storage.repositories import Repositories


async def acknowledge(query: CallbackQuery, callback_data: AckCb, repo: Repositories) -> None:
    if callback_data.b == PREVIEW_ID:
        await query.answer(t.ACK_PREVIEW)
        return
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    refusal = await service.ack_refusal(repo.session, callback_data.b, chat_id)
    if refusal is not None:  # a forged payload, or a button copied where it never went
        await query.answer(t.ACK_REFUSALS[refusal], show_alert=refusal != "gone")
        return
    recorded = await service.record_ack(
        repo.session, callback_data.b, chat_id, query.from_user.id, query.from_user.full_name
    )
    await repo.commit()
    await query.answer(t.ACK_THANKS if recorded else t.ACK_AGAIN)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.callback_query.register(acknowledge, AckCb.filter())
    return router
