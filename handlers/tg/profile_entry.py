"""The door into the teacher's profile dialog: its states and its first question. Opened by
/profile («Изменить») and by a first registration for an event, which comes back to the event
once the profile is saved (`pending_event`)."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.texts import events as t
from handlers.tg.edits import send_to_chat
from storage.repositories import Repositories


class ProfileForm(StatesGroup):
    name = State()
    organisation = State()
    position = State()
    contact = State()
    consent = State()
    mailing = State()


async def start_profile(
    event: Message | CallbackQuery,
    state: FSMContext,
    repo: Repositories,
    pending_event: int | None,
) -> None:
    names = [o.name for o in await repo.profiles.organisations()][:30]
    await state.set_state(ProfileForm.name)
    await state.set_data({"pending_event": pending_event, "orgs": names})
    if isinstance(event, CallbackQuery):
        await send_to_chat(event, t.PROFILE_START)
    else:
        await event.answer(t.PROFILE_START)
