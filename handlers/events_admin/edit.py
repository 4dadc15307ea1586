"""Changing a published event: one field at a time.

Part of the staff side joined by handlers.events_admin (which checks the role first). A new
value goes through the same checks as in the new-event dialog (bot.services.events.form). A
new time or place is told to everyone registered or waiting, queued with the change
(bot.services.events.changes); more seats move the waiting list up at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import Switchboard
from bot.services.events import editing, form, steps
from bot.services.events.registration import notify_promoted
from bot.services.events.setters import SETTERS
from bot.texts import events_admin as t
from broadcasts.worker import BroadcastWorker
from handlers.events_admin.shared import notice_ids, staff_card, wake
from handlers.tg.callbacks import AdminEventCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.filters import NOT_COMMAND
from handlers.tg.keyboards import events_admin as kb
from handlers.tg.messenger import markup, people
from handlers.tg.replies import Reply, reply_in, reply_to
from storage.models import Event, EventStatus
from storage.repositories import Repositories


class EditEvent(StatesGroup):
    value = State()  # data: event_id, field


CONFIRM = "confirm"  # new dates that drop meetings, kept to be sent again as the «yes»


# --- editing a field --------------------------------------------------------------------------


async def edit_menu(query: CallbackQuery, callback_data: AdminEventCb, repo: Repositories) -> None:
    event = await repo.events.get(callback_data.id)
    if event is None or event.status == EventStatus.CANCELLED:
        await query.answer(
            t.EVENT_MISSING if event is None else t.EDIT_CANCELLED_EVENT, show_alert=True
        )
        return
    await query.answer()
    buttons = markup(steps.edit_fields(event.id))
    await send_to_chat(query, fill(t.EDIT_PICK, title=event.title), buttons)


def _ask(event: Event, field: str, settings: Settings) -> tuple[str, InlineKeyboardMarkup | None]:
    text, buttons = steps.edit_question(event, field, settings)
    return text, markup(buttons)


async def edit_pick(
    query: CallbackQuery,
    callback_data: kb.EditCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
) -> None:
    event = await repo.events.get(callback_data.id)
    if event is None or event.status == EventStatus.CANCELLED:
        await query.answer(
            t.EVENT_MISSING if event is None else t.EDIT_CANCELLED_EVENT, show_alert=True
        )
        return
    if callback_data.field not in t.FIELD_LABELS:
        await query.answer(t.STEP_PASSED)
        return
    before = await state.get_data() if await state.get_state() == EditEvent.value.state else {}
    await state.set_state(EditEvent.value)
    await state.set_data({"event_id": event.id, "field": callback_data.field})
    await query.answer()
    text, markup = _ask(event, callback_data.field, settings)
    sent = await send_to_chat(query, text, markup)
    asked = steps.edit_asked(before, event.id, callback_data.field, sent.message_id)
    await state.update_data({steps.ASKED: asked})  # older buttons: not this edit's


@dataclass(frozen=True)
class Deps:
    """What saving a change needs beyond the answer itself."""

    repo: Repositories
    settings: Settings
    clock: Clock
    bot: Bot
    author_id: int  # the staff member: delivery reports of the notices go to them
    worker: BroadcastWorker | None
    messenger: Switchboard | None = None  # people promoted may be in MAX


async def _apply(reply: Reply, state: FSMContext, text: str, deps: Deps) -> None:
    data = await state.get_data()
    field = str(data.get("field", ""))
    event = await deps.repo.events.get(int(data.get("event_id", 0)))
    if event is None or not editing.editable(event) or field not in SETTERS:
        await state.clear()
        await reply(t.EVENT_MISSING if event is None else t.EDIT_CANCELLED_EVENT, None)
        return
    settings, now = deps.settings, deps.clock.now()
    keys = _ask(event, field, settings)[1]
    try:
        saved = await editing.save_field(
            deps.repo, settings, deps.author_id, now, event, field, text,
            confirmed=str(data.get(CONFIRM, "")),
        )  # fmt: skip
    except form.FormError as exc:
        if isinstance(exc, form.FewerMeetings):  # the same answer again means «yes»
            await state.update_data({CONFIRM: text.strip()})
        await reply(str(exc), keys)
        return
    await state.clear()
    for registration in saved.promoted:
        await notify_promoted(people(deps.bot, deps.messenger), registration, event, settings, now)
    view, admin_markup = await staff_card(event, settings, deps.repo, now)
    await reply(fill(t.EDIT_SAVED, field=t.FIELD_LABELS[field]) + "\n\n" + view, admin_markup)
    if saved.notices:
        await reply(fill(t.EDIT_NOTIFIED, ids=notice_ids(saved.notices)), None)
        wake(deps.worker)  # after telling the author, so the report comes after it


async def edit_text(
    message: Message, state: FSMContext, repo: Repositories, settings: Settings, clock: Clock,
    bot: Bot, broadcast_worker: BroadcastWorker | None = None,
    messenger: Switchboard | None = None,
) -> None:  # fmt: skip
    assert message.text is not None and message.from_user is not None  # the filter F.text
    if await state.get_state() != EditEvent.value.state:
        raise SkipHandler  # saved by a message just before this one
    deps = Deps(repo, settings, clock, bot, message.from_user.id, broadcast_worker, messenger)
    await _apply(reply_to(message), state, message.text, deps)


async def edit_other(message: Message) -> None:
    await message.answer(t.SEND_TEXT)


async def edit_button(
    query: CallbackQuery, callback_data: kb.FormCb, state: FSMContext, repo: Repositories,
    settings: Settings, clock: Clock, bot: Bot, broadcast_worker: BroadcastWorker | None = None,
    messenger: Switchboard | None = None,
) -> None:  # fmt: skip
    pressed_id = query.message.message_id if query.message is not None else 0
    if not steps.answers_this_edit(await state.get_data(), callback_data.field, pressed_id):
        await query.answer(t.STEP_PASSED)
        return
    await query.answer()
    await drop_keyboard(query)
    deps = Deps(repo, settings, clock, bot, query.from_user.id, broadcast_worker, messenger)
    await _apply(reply_in(query), state, callback_data.value, deps)


def create_router() -> Router:
    """Staff-only: included by handlers.events_admin behind its admin check."""
    router = Router(name=__name__)
    router.callback_query.register(edit_menu, AdminEventCb.filter(F.action == "edit"))
    router.callback_query.register(edit_pick, kb.EditCb.filter())
    router.message.register(edit_text, EditEvent.value, F.text, NOT_COMMAND)
    router.message.register(edit_other, EditEvent.value, NOT_COMMAND)
    router.callback_query.register(edit_button, kb.FormCb.filter(), EditEvent.value)
    return router
