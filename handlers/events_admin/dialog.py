"""Creating an event in a chat dialog (/new_event, «➕ Новое мероприятие»).

The dialog asks one thing per step and checks it with bot.services.events.form; a wrong answer is
explained and asked again. The draft lives in FSM data (in the database, as JSON), so a
restart resumes it. «Опубликовать» runs under a per-user lock (OneAtATime on the staff gate),
checks that the draft is still there and clears it before writing: a double tap creates one
event.
"""

from __future__ import annotations

from collections.abc import Callable
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
from bot.core.dates import format_local
from bot.core.markup import fill
from bot.services.events import form
from bot.services.events.cards import card
from bot.texts import events_admin as t
from handlers.events_admin.shared import staff_card
from handlers.tg.edits import drop_keyboard
from handlers.tg.keyboards import events_admin as kb
from handlers.tg.replies import Reply, reply_in, reply_to
from storage.models import EventFormat
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
    tz = settings.tz
    first = format_local(form.load(data["starts"]), tz) if "starts" in data else ""
    prompts: dict[str, tuple[str, InlineKeyboardMarkup | None]] = {
        "title": (fill(t.ASK_TITLE, limit=form.TITLE_LIMIT), None),
        "kind": (t.ASK_KIND, kb.kinds()),
        "starts": (fill(t.ASK_STARTS, zone=settings.timezone), None),
        "sessions": (fill(t.ASK_SESSIONS, first=first), kb.one_session()),
        "duration": (t.ASK_DURATION, kb.durations()),
        "format": (t.ASK_FORMAT, kb.formats()),
        "place": (t.ASK_PLACE_ONLINE if data.get("format") == EventFormat.ONLINE
                  else t.ASK_PLACE_OFFLINE, None),
        "capacity": (t.ASK_CAPACITY, None),
        "deadline": (fill(t.ASK_DEADLINE, start=first), kb.no_deadline()),
        "description": (fill(t.ASK_DESCRIPTION, limit=form.DESCRIPTION_LIMIT),
                        kb.skip_description()),
        "preview": (t.PREVIEW_HINT, kb.preview()),
    }  # fmt: skip
    return prompts[step]


def _accept(step: str, text: str, ctx: form.FormContext) -> Any:
    """The JSON-friendly value of one answer; FormError when it does not do."""
    if step == "starts":
        return form.dump(form.start(text, ctx))
    if step == "sessions":
        return [form.dump(m) for m in form.later_sessions(text, ctx)]
    if step == "deadline":
        moment = form.deadline(text, ctx)
        return form.dump(moment) if moment else None
    if step == "kind":
        return form.kind(text)
    if step == "format":
        return form.event_format(text)
    parse: dict[str, Callable[[str, form.FormContext], Any]] = {
        "title": form.title, "duration": form.duration, "place": form.place,
        "capacity": form.capacity, "description": form.description,
    }  # fmt: skip
    return parse[step](text, ctx)


def _context(data: dict[str, Any], settings: Settings, clock: Clock) -> form.FormContext:
    first = form.load(data["starts"]) if "starts" in data else None
    fmt = data.get("format", EventFormat.OFFLINE)
    return form.FormContext(settings.tz, clock.now(), fmt=fmt, start=first)


async def _preview(
    reply: Reply, state: FSMContext, data: dict[str, Any], settings: Settings
) -> None:
    event, _ = form.draft_event(data, None)
    try:
        form.check_card_length(event, settings.tz)
    except form.FormError as exc:
        data.pop("description", None)
        await state.set_data(data)
        await reply(str(exc), None)
        await _advance(reply, state, data, settings)
        return
    await state.set_state(NewEvent.preview)
    online = event.format == EventFormat.ONLINE
    extra = fill(t.PREVIEW_LINK, link=event.place) if online else ""
    await reply(t.PREVIEW.format(card=card(event, settings.tz), extra=extra), kb.preview())


async def _advance(
    reply: Reply, state: FSMContext, data: dict[str, Any], settings: Settings
) -> None:
    """Ask the first question not answered yet, or show the preview when all are."""
    step = form.next_step(data)
    if step is None:
        await _preview(reply, state, data, settings)
        return
    await state.set_state(getattr(NewEvent, step))
    await reply(*_prompt(step, data, settings))


async def _take(
    reply: Reply, state: FSMContext, step: str, text: str, settings: Settings, clock: Clock
) -> None:
    data = await state.get_data()
    try:
        data[step] = _accept(step, text, _context(data, settings, clock))
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
    if step is None or step != callback_data.field:
        await query.answer(t.STEP_PASSED)
        return
    await query.answer()
    await drop_keyboard(query)
    await _take(reply_in(query), state, step, callback_data.value, settings, clock)


async def publish(
    query: CallbackQuery, state: FSMContext, repo: Repositories, settings: Settings, clock: Clock
) -> None:
    if await state.get_state() != NewEvent.preview.state:
        await query.answer(t.ALREADY_DONE, show_alert=True)
        return
    data = await state.get_data()
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
    view, markup = staff_card(event, settings)
    await reply_in(query)(fill(t.PUBLISHED, id=event.id) + "\n\n" + view, markup)


async def discard(query: CallbackQuery, state: FSMContext, raw_state: str | None) -> None:
    if _step(raw_state) is None:
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
    router.message.register(step_text, StateFilter(*steps), F.text)
    router.message.register(step_other, StateFilter(*steps, NewEvent.preview))
    router.callback_query.register(publish, kb.FormCb.filter(F.field == "publish"))
    router.callback_query.register(discard, kb.FormCb.filter(F.field == "drop"))
    router.callback_query.register(step_button, kb.FormCb.filter())
    return router
