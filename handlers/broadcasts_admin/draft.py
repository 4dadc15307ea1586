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
from bot.core.dates import ensure_future, parse_local_datetime
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.content import Content, LinkButton
from handlers.tg.edits import drop_keyboard
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.replies import Reply, reply_in
from storage.repositories import Repositories


class Compose(StatesGroup):
    content = State()
    audience = State()
    tags = State()
    button = State()
    ack = State()
    when = State()
    repeat = State()
    preview = State()


# --- the draft (FSM data, JSON) -------------------------------------------------------------


def draft_content(data: dict[str, Any]) -> Content:
    button = data.get("button")
    return Content(
        kind=data.get("kind", "text"),
        text=data.get("text", ""),
        file_id=data.get("file_id"),
        button=LinkButton(**button) if button else None,
        ack=bool(data.get("ack")),
    )


def draft_target(data: dict[str, Any]) -> service.Target:
    """Tags narrow to tagged groups; private subscribers carry no tags, so they are left out."""
    tags = tuple(data.get("tags", []))
    return service.Target(tuple(data.get("audiences", [])), tags, include_private=not tags)


def draft_at(data: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(data["at"]) if data.get("at") else None


async def recipients_count(repo: Repositories, data: dict[str, Any]) -> int:
    if not data.get("audiences"):
        return 0
    return await service.count_recipients(repo.session, draft_target(data))


def audiences_text(data: dict[str, Any]) -> str:
    return ", ".join(t.AUDIENCE_LABELS.get(a, a) for a in data.get("audiences", []))


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
    now = clock.now()
    return ensure_future(parse_local_datetime(text, settings.tz, now), settings.tz, now)


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
