"""The door into the teacher's profile dialog: its states and its first question, the consent
(152-ФЗ: asked before any name or phone, so none is kept if the teacher refuses). Opened by
/profile («Изменить») and by a first registration for an event, which comes back to the event
once the profile is saved (`pending_event`)."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.core.markup import fill
from bot.services.profile.teachers import CONSENT_VERSION
from bot.texts import events as t
from handlers.tg.edits import send_to_chat
from handlers.tg.keyboards import events as kb
from storage.repositories import Repositories


class ProfileForm(StatesGroup):
    consent = State()
    name = State()
    organisation = State()
    position = State()
    contact = State()
    mailing = State()


async def start_profile(
    event: Message | CallbackQuery,
    state: FSMContext,
    repo: Repositories,
    pending_event: int | None,
    moc_name: str,
) -> None:
    names = [o.name for o in await repo.profiles.organisations()][:30]
    await state.set_state(ProfileForm.consent)
    await state.set_data({"pending_event": pending_event, "orgs": names})
    text = fill(t.CONSENT, moc=moc_name, version=CONSENT_VERSION)
    buttons = kb.yes_no("consent", t.BTN_CONSENT_YES, t.BTN_CONSENT_NO)
    if isinstance(event, CallbackQuery):
        await send_to_chat(event, text, buttons)
    else:
        await event.answer(text, reply_markup=buttons)
