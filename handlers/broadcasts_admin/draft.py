"""What every step of the broadcast dialog shares: its states, the draft (FSM data as JSON, so
a restart resumes it), the way a step asks its question and the one check that a pressed
button belongs to the draft open now. Kept apart from the steps so the step modules, the
preview and /broadcasts read the draft the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F
from aiogram.filters import BaseFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.services.staff import composing
from bot.texts import broadcasts as t
from handlers.tg.edits import drop_keyboard
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.replies import Reply, reply_in


class Compose(StatesGroup):
    content = State()
    audience = State()
    tags = State()
    button = State()
    ack = State()
    when = State()
    repeat = State()
    preview = State()


# The draft's meaning (audiences, time, content) is bot.services.staff.composing's: the steps
# import it from there, as MAX's composer does.


# --- asking -----------------------------------------------------------------------------------


async def ask(
    reply: Reply, state: FSMContext, step: State, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    await state.set_state(step)
    await reply(text, markup)


async def pressed(query: CallbackQuery) -> Reply:
    """Answer the press and take the question's buttons away; replies go to the same chat."""
    await query.answer()
    await drop_keyboard(query)
    return reply_in(query)


def parse_moment(text: str, settings: Settings, clock: Clock) -> datetime:
    """A typed local date and time as aware UTC in the future; DateParseError otherwise."""
    return composing.parse_moment(text, settings, clock.now())


def step_button(step: str) -> Any:
    """The filter for one step's buttons (ComposeCb with that step)."""
    return kb.ComposeCb.filter(F.step == step)


# --- buttons of a closed draft ----------------------------------------------------------------

PREVIEW_STEPS = frozenset({"test", "confirm", "change_when"})  # only under the latest summary


async def opened(state: FSMContext, first_id: int) -> None:
    """Mark where this draft starts in the chat: any earlier message belongs to an earlier one."""
    await state.update_data(opened_id=first_id)


class ClosedDraft(BaseFilter):
    """A press under a draft that is no longer open (cancelled, sent, replaced by a new
    /broadcast): the dialog's handlers filter on the step only, so without this a button of
    the old draft would act on the draft open now."""

    async def __call__(
        self, query: CallbackQuery, callback_data: kb.ComposeCb, state: FSMContext
    ) -> bool:
        if await state.get_state() not in Compose:
            return True
        data, message = await state.get_data(), query.message
        if message is None:  # too old for Telegram to show us; the step filters decide
            return False
        if message.message_id < int(data.get("opened_id") or 0):
            return True
        summary_id = data.get("summary_id")
        return (
            callback_data.step in PREVIEW_STEPS
            and summary_id is not None
            and message.message_id != summary_id
        )


async def refuse_closed(query: CallbackQuery, state: FSMContext) -> None:
    """Say so, change nothing, and take the old buttons away."""
    open_now = await state.get_state() in Compose
    await query.answer(t.DRAFT_STALE if open_now else t.DIALOG_STALE, show_alert=True)
    await drop_keyboard(query)
