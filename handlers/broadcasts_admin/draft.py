"""What every step of the broadcast dialog shares: its states, the draft (FSM data as JSON, so
a restart resumes it) and the way a step asks its question. Kept apart from the steps so the
step modules, the preview and /broadcasts read the draft the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F
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
