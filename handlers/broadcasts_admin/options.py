"""Steps 3–5 of the broadcast dialog: a link button (typed, or «Записаться» on an upcoming
event), «Ознакомлен», the time and the weekly repetition. The last answer opens the preview."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.dates import DateParseError
from bot.services.staff import composing
from bot.texts import broadcasts as t
from handlers.broadcasts_admin.draft import Compose, ask, parse_moment, pressed, step_button
from handlers.broadcasts_admin.preview import show_preview
from handlers.tg import deep_links
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.replies import Reply, reply_to
from storage.repositories import Repositories

# --- steps 3–5: button, «Ознакомлен», time and repetition -------------------------------------


async def after_target(reply: Reply, state: FSMContext) -> None:
    """An event announcement brings its own button; other drafts are asked for one."""
    if (await state.get_data()).get("button_fixed"):
        await ask_ack(reply, state)
    else:
        await ask(reply, state, Compose.button, t.ASK_BUTTON, kb.button_choice())


async def ask_ack(reply: Reply, state: FSMContext) -> None:
    await ask(reply, state, Compose.ack, t.ASK_ACK, kb.ack_choice())


parse_button = composing.parse_button  # tests read it from here


async def got_button(message: Message, state: FSMContext) -> None:
    button = parse_button(message.text or "")
    if button is None:
        await message.answer(t.BUTTON_BAD, reply_markup=kb.button_choice())
        return
    await state.update_data(button={"label": button.label, "url": button.url})
    await ask_ack(reply_to(message), state)


async def button_choice(
    query: CallbackQuery,
    callback_data: kb.ComposeCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
) -> None:
    reply = await pressed(query)
    if callback_data.value != "event":
        await state.update_data(button=None)
        await ask_ack(reply, state)
        return
    items = await composing.event_choices(repo, clock.now(), settings.tz)
    await reply(t.ASK_EVENT if items else t.NO_EVENTS, kb.events(items))


async def event_link(bot: Bot, event_id: int) -> dict[str, str]:
    """The «Записаться» button: a deep link to the event's card (handlers.start)."""
    return composing.event_button(await deep_links.event_link(bot, event_id))


async def pick_event(
    query: CallbackQuery,
    callback_data: kb.ComposeCb,
    state: FSMContext,
    repo: Repositories,
    bot: Bot,
) -> None:
    value = callback_data.value
    event = await repo.events.get(int(value)) if value.isdigit() else None
    if event is None:
        await query.answer(t.EVENT_GONE, show_alert=True)
        return
    reply = await pressed(query)
    await state.update_data(button=await event_link(bot, event.id))
    await ask_ack(reply, state)


async def ack_choice(query: CallbackQuery, callback_data: kb.ComposeCb, state: FSMContext) -> None:
    await state.update_data(ack=callback_data.value == "1")
    await ask(await pressed(query), state, Compose.when, t.ASK_WHEN, kb.when_choice())


async def when_now(query: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(at=None)
    await ask(await pressed(query), state, Compose.repeat, t.ASK_REPEAT, kb.repeat_choice())


async def got_when(message: Message, state: FSMContext, settings: Settings, clock: Clock) -> None:
    try:
        at = parse_moment(message.text or "", settings, clock)
    except DateParseError as exc:  # unreadable or in the past: ask again
        await message.answer(f"{exc}\n\n{t.ASK_WHEN}", reply_markup=kb.when_choice())
        return
    await state.update_data(at=at.isoformat())
    await ask(reply_to(message), state, Compose.repeat, t.ASK_REPEAT, kb.repeat_choice())


async def repeat_choice(
    query: CallbackQuery,
    callback_data: kb.ComposeCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
) -> None:
    await pressed(query)
    await state.update_data(repeat="weekly" if callback_data.value == "weekly" else "")
    await show_preview(bot, query.from_user.id, state, repo, settings)


def create_router() -> Router:
    """Steps 3–5; mounted under the staff gate in handlers.broadcasts_admin."""
    router = Router(name=__name__)
    router.message.register(got_button, Compose.button, F.text)
    router.message.register(got_when, Compose.when, F.text)
    router.callback_query.register(button_choice, step_button("btn"), Compose.button)
    router.callback_query.register(pick_event, step_button("event"), Compose.button)
    router.callback_query.register(ack_choice, step_button("ack"), Compose.ack)
    router.callback_query.register(when_now, step_button("now"), Compose.when)
    router.callback_query.register(repeat_choice, step_button("repeat"), Compose.repeat)
    return router
