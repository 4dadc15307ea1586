"""Step 6 of the broadcast dialog: the preview, a test copy to oneself and the confirmation.

The preview is sent through the same TelegramChannel the worker uses, so the admin sees
exactly what recipients will. Confirming runs under a per-user lock (OneAtATime on the staff
gate), checks that the draft is still there and clears it before creating: a double tap
creates one broadcast. Sending itself is the worker's job; this module only writes the
broadcast and hands it the progress message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill, fit_toast
from bot.core.messages import Switchboard
from bot.services.staff import composing
from bot.services.staff.composing import draft_at, draft_content
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.channel import Sent
from handlers.broadcasts_admin.album import album_part
from handlers.broadcasts_admin.draft import (
    Compose,
    ask,
    pressed,
    step_button,
)
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.callbacks import PREVIEW_ID
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.messenger import people
from storage.repositories import Repositories

if TYPE_CHECKING:
    from broadcasts.worker import BroadcastWorker

# --- step 6: preview, test, confirm -----------------------------------------------------------


async def show_preview(
    bot: Bot, chat_id: int, state: FSMContext, repo: Repositories, settings: Settings
) -> None:
    await state.set_state(Compose.preview)
    data = await state.get_data()
    failure = await send_sample(bot, chat_id, data)
    if failure:
        await bot.send_message(chat_id, fill(t.TEST_FAILED, error=failure))
    summary = await composing.summary(repo, data, settings.tz)
    markup = kb.preview(draft_at(data) is None)
    shown = await bot.send_message(chat_id, summary, reply_markup=markup)
    await state.update_data(summary_id=shown.message_id)


async def send_sample(bot: Bot, chat_id: int, data: dict[str, Any]) -> str | None:
    """The message as a group will get it, through the worker's own channel (its «Ознакомлен»
    records nothing); None when it went out, else Telegram's reason."""
    channel = TelegramChannel(bot)
    content = draft_content(data)
    outcome = await channel.send(chat_id, content, broadcast_id=PREVIEW_ID, is_private=False)
    return None if isinstance(outcome, Sent) else str(getattr(outcome, "reason", outcome))


async def send_test(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    failure = await send_sample(bot, query.from_user.id, await state.get_data())
    await query.answer(test_failed_toast(failure) if failure else t.TEST_SENT)


def test_failed_toast(error: str) -> str:
    """«Тест не отправился: …» as a button's answer: plain text (Telegram's «<» and «&» as
    they are, not «&lt;»), the reason cut so that the whole fits in TOAST_LIMIT."""
    return fit_toast(t.TEST_FAILED, "error", error)


async def change_when(query: CallbackQuery, state: FSMContext) -> None:
    await ask(await pressed(query), state, Compose.when, t.ASK_WHEN, kb.when_choice())


async def confirm(
    query: CallbackQuery,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    broadcast_worker: BroadcastWorker | None = None,
    messenger: Switchboard | None = None,
) -> None:
    if await state.get_state() != Compose.preview.state:  # read under OneAtATime's lock
        await query.answer(t.DIALOG_STALE, show_alert=True)
        return
    data = await state.get_data()
    await state.clear()  # before writing: a second tap now finds nothing to confirm
    await query.answer()
    author = people(bot, messenger)  # the progress message, as MAX's dialog sends it
    try:
        broadcast = await composing.create_with_progress(
            repo, author, data, query.from_user.id, clock.now(), settings.tz
        )
    except Exception as exc:
        await state.set_state(Compose.preview)  # keep the draft at the preview
        await state.set_data(data)
        if not isinstance(exc, service.BroadcastError):
            raise
        label = t.BTN_CONFIRM_AT if draft_at(data) else t.BTN_CONFIRM_NOW
        await send_to_chat(query, fill(t.CREATE_FAILED, error=str(exc), confirm=label))
        return
    await drop_keyboard(query)
    await send_to_chat(query, composing.created_text(broadcast.id, data, settings.tz))
    if broadcast_worker is not None and draft_at(data) is None:
        broadcast_worker.wake()  # «Сейчас» means now, not at the worker's next poll


async def reprompt(
    message: Message, raw_state: str | None, state: FSMContext, settings: Settings
) -> None:
    """A wrong kind of answer (a sticker, text where a button is expected): ask again. The
    rest of an album whose first file began the draft joins it (broadcasts_admin.album)."""
    album = message.media_group_id
    if album is not None:
        data = await state.get_data()
        if data.get("album") == album:  # a later file of the album the draft began with
            await album_part(message, state, data, max_on=settings.max_enabled)
            return
        if data.get("album_told") == album:
            return  # one answer per album, not one per photo
        await state.update_data(album_told=album)
    prompts = {
        Compose.tags.state: (t.TAGS_BAD, kb.tags()),
        Compose.button.state: (t.BUTTON_BAD, kb.button_choice()),
        Compose.when.state: (t.ASK_WHEN, kb.when_choice()),
    }
    text, markup = prompts.get(raw_state or "", (t.REPROMPT_BUTTONS, None))
    await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    """Step 6, then the re-prompt for the whole dialog: registered last, it catches any answer
    that no step above took. Mounted under the staff gate in handlers.broadcasts_admin."""
    router = Router(name=__name__)
    router.message.register(reprompt, StateFilter(Compose))
    router.callback_query.register(send_test, step_button("test"), Compose.preview)
    router.callback_query.register(change_when, step_button("change_when"), Compose.preview)
    router.callback_query.register(confirm, step_button("confirm"))
    return router
