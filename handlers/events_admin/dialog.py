"""Creating an event in a chat dialog (/new_event, «➕ Новое мероприятие»).

The dialog asks one thing per step and checks it with bot.services.events.form; a wrong answer is
explained and asked again. The draft lives in FSM data (in the database, as JSON), so a
restart resumes it. «Опубликовать» runs under a per-user lock (OneAtATime on the staff gate),
checks that the draft is still there and clears it before writing: a double tap creates one
event.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.exc import SQLAlchemyError

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.events import form, steps
from bot.texts import events_admin as t
from handlers.events_admin.shared import staff_card
from handlers.tg.edits import drop_keyboard
from handlers.tg.filters import NOT_COMMAND
from handlers.tg.keyboards import events_admin as kb
from handlers.tg.messenger import markup
from handlers.tg.replies import Reply, reply_in, reply_to
from storage.repositories import Repositories


class NewEvent(StatesGroup):
    title = State()
    kind = State()
    starts = State()
    sessions = State()
    duration = State()
    format = State()
    place = State()
    capacity = State()
    deadline = State()
    description = State()
    preview = State()


def _step(raw_state: str | None) -> str | None:
    prefix = f"{NewEvent.__full_group_name__}:"
    return raw_state.removeprefix(prefix) if raw_state and raw_state.startswith(prefix) else None


def _prompt(
    step: str, data: dict[str, Any], settings: Settings
) -> tuple[str, InlineKeyboardMarkup | None]:
    text, buttons = steps.prompt(step, data, settings)
    return text, markup(buttons)


async def _preview(
    reply: Reply, state: FSMContext, data: dict[str, Any], settings: Settings
) -> None:
    try:
        text = steps.preview(data, settings)
    except form.FormError as exc:
        data.pop("description", None)
        await state.set_data(data)
        await reply(str(exc), None)
        await _advance(reply, state, data, settings)
        return
    await state.set_state(NewEvent.preview)
    await reply(text, _prompt("preview", data, settings)[1])


async def _advance(
    reply: Reply, state: FSMContext, data: dict[str, Any], settings: Settings
) -> None:
    """Ask the first question not answered yet, or show the preview when all are."""
    step = form.next_step(data)
    if step is None:
        await _preview(reply, state, data, settings)
        return
    await state.set_state(getattr(NewEvent, step))
    asked = await reply(*_prompt(step, data, settings))
    if not data and isinstance(asked, Message):  # a new draft: older buttons are not its
        await state.set_data({steps.SINCE: asked.message_id})


def _older_draft(query: CallbackQuery, data: dict[str, Any]) -> bool:
    """A button under a message from before the open draft began: a dropped draft's."""
    pressed = query.message.message_id if query.message is not None else 0
    return steps.pressed_before(data, steps.SINCE, pressed)


async def _take(
    reply: Reply, state: FSMContext, step: str, text: str, settings: Settings, clock: Clock
) -> None:
    data = await state.get_data()
    try:
        data[step] = steps.accept(step, text, steps.context(data, settings, clock.now()))
    except form.FormError as exc:
        await reply(str(exc), _prompt(step, data, settings)[1])
        return
    await state.set_data(data)
    await _advance(reply, state, data, settings)


# --- handlers ---------------------------------------------------------------------------------


async def new_event(message: Message, state: FSMContext, settings: Settings) -> None:
    await state.clear()
    await _advance(reply_to(message), state, {}, settings)


async def new_event_button(query: CallbackQuery, state: FSMContext, settings: Settings) -> None:
    await query.answer()
    await state.clear()
    await _advance(reply_in(query), state, {}, settings)


async def _current_step(state: FSMContext) -> str:
    """The step as it is now, not as it was when the update arrived: a message that waited
    for the one before it (OneAtATime) meets the step that one led to. No dialog any more:
    not ours to answer."""
    step = _step(await state.get_state())
    if step is None:
        raise SkipHandler
    return step


async def step_text(message: Message, state: FSMContext, settings: Settings, clock: Clock) -> None:
    step = await _current_step(state)
    if step == "preview" or message.text is None:
        await step_other(message, state, settings)
        return
    await _take(reply_to(message), state, step, message.text, settings, clock)


async def step_other(message: Message, state: FSMContext, settings: Settings) -> None:
    """A sticker, a photo or, at the preview, any text: say what is expected, again."""
    step = await _current_step(state)
    markup = _prompt(step, await state.get_data(), settings)[1]
    await message.answer(t.PREVIEW_HINT if step == "preview" else t.SEND_TEXT, reply_markup=markup)


async def step_button(
    query: CallbackQuery, callback_data: kb.FormCb, state: FSMContext, settings: Settings,
    clock: Clock,
) -> None:  # fmt: skip
    step = _step(await state.get_state())
    if step is not None and _older_draft(query, await state.get_data()):
        await query.answer(t.ALREADY_DONE)
        return
    if step is None or step != callback_data.field:
        await query.answer(t.STEP_PASSED)
        return
    await query.answer()
    await drop_keyboard(query)
    await _take(reply_in(query), state, step, callback_data.value, settings, clock)


async def publish(
    query: CallbackQuery, state: FSMContext, repo: Repositories, settings: Settings, clock: Clock
) -> None:
    data = await state.get_data()
    if await state.get_state() != NewEvent.preview.state or _older_draft(query, data):
        await query.answer(t.ALREADY_DONE, show_alert=True)
        return
    await state.clear()  # before writing: a second tap now finds nothing to publish
    stale = form.stale_parts(data, clock.now())
    if stale:
        await query.answer()
        kept = {key: value for key, value in data.items() if key not in stale}
        await state.set_data(kept)
        await reply_in(query)(t.STARTS_NOW_PAST, None)
        await _advance(reply_in(query), state, kept, settings)
        return
    event, starts = form.draft_event(data, query.from_user.id)
    try:
        await repo.events.add(event, starts)
        await repo.commit()
    except SQLAlchemyError:
        await state.set_state(NewEvent.preview)  # keep the draft for another try
        await state.set_data(data)
        raise
    await query.answer(fill(t.PUBLISHED, id=event.id))
    await drop_keyboard(query)
    view, keys = await staff_card(event, settings, repo, clock.now())
    await reply_in(query)(fill(t.PUBLISHED, id=event.id) + "\n\n" + view, keys)


async def discard(query: CallbackQuery, state: FSMContext, raw_state: str | None) -> None:
    if _step(raw_state) is None or _older_draft(query, await state.get_data()):
        await query.answer(t.ALREADY_DONE)
        return
    await state.clear()
    await query.answer()
    await drop_keyboard(query)
    await reply_in(query)(t.DRAFT_DISCARDED, None)


def create_router() -> Router:
    """The dialog's steps; mounted under the staff gate in handlers.events_admin."""
    router = Router(name=__name__)
    steps = [getattr(NewEvent, step) for step in form.STEPS]
    # a command at a step is a command (MAX alike), not the place or the description
    router.message.register(step_text, StateFilter(*steps), F.text, NOT_COMMAND)
    router.message.register(step_other, StateFilter(*steps, NewEvent.preview), NOT_COMMAND)
    router.callback_query.register(publish, kb.FormCb.filter(F.field == "publish"))
    router.callback_query.register(discard, kb.FormCb.filter(F.field == "drop"))
    router.callback_query.register(step_button, kb.FormCb.filter())
    return router
