"""The door into the teacher's profile dialog: its states and its first question, the consent
(152-ФЗ: asked before any name or phone, so none is kept if the teacher refuses). Opened by
/profile («Изменить») and by a first registration for an event, which comes back to the event
once the profile is saved (`pending_event`). A second tap while the form is open asks nothing
again (bot.services.profile.entry)."""

from __future__ import annotations

from datetime import datetime

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery

from bot.core.config import Settings
from bot.services.profile import entry
from bot.services.profile.teachers import consent_text
from bot.texts import events as t
from handlers.tg.edits import send_to_chat
from handlers.tg.keyboards import events as kb
from storage.models import Event
from storage.repositories import Repositories


class ProfileForm(StatesGroup):
    consent = State()
    name = State()
    organisation = State()
    position = State()
    contact = State()
    mailing = State()


async def start_profile(
    query: CallbackQuery,
    state: FSMContext,
    repo: Repositories,
    pending_event: Event | None,
    settings: Settings,
    now: datetime,
) -> None:
    """Answers the press too: with a notice when the form was already open."""
    open_form = await state.get_data() if await state.get_state() in ProfileForm else None
    again = entry.reentry(open_form, pending_event, now)
    if again is not None:
        await state.set_data(again.form)
        await query.answer(again.note, show_alert=again.moved)
        return
    await query.answer()
    names = [o.name for o in await repo.profiles.organisations()][:30]
    await state.set_state(ProfileForm.consent)
    await state.set_data(entry.opening(pending_event.id if pending_event else None, names, now))
    await send_to_chat(
        query, consent_text(settings), kb.yes_no("consent", t.BTN_CONSENT_YES, t.BTN_CONSENT_NO)
    )
