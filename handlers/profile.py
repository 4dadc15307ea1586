"""The teacher's profile: consent (152-ФЗ) first, then ФИО, organisation, position, contact.

No question is asked until the teacher agrees, so no name or phone is kept before that; the
answers then wait in the FSM state (kept in the database or Redis), so a restart mid-dialog
continues where it stopped, and are written as the profile at the end.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill, fill_region
from bot.services.chats import registry
from bot.services.events.registration import become_teacher, register_and_confirm
from bot.services.profile import teachers
from bot.services.profile.contacts import normalize_contact, normalize_phone
from bot.services.profile.teachers import (
    NAME_LIMIT,
    ORG_LIMIT,
    POSITION_LIMIT,
    valid_name,
)
from bot.texts import events as t
from handlers.tg import keyboards
from handlers.tg.callbacks import ProfileCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.filters import NOT_COMMAND, Typed
from handlers.tg.keyboards import events as kb
from handlers.tg.messenger import TelegramMessenger
from handlers.tg.profile_entry import ProfileForm, start_profile
from storage.models import User
from storage.repositories import Repositories


async def got_name(message: Message, state: FSMContext) -> None:
    name = " ".join((message.text or "").split())
    if not valid_name(name):
        await message.answer(fill(t.PROFILE_NAME_BAD, limit=NAME_LIMIT))
        return
    await state.update_data(full_name=name)
    await state.set_state(ProfileForm.organisation)
    names: list[str] = (await state.get_data()).get("orgs", [])
    if names:
        await message.answer(t.PROFILE_ORG, reply_markup=kb.organisations(names))
    else:
        await message.answer(t.PROFILE_ORG_TYPE)


async def _to_position(target: Message | CallbackQuery, state: FSMContext, org: str) -> None:
    await state.update_data(organisation=org)
    await state.set_state(ProfileForm.position)
    if isinstance(target, CallbackQuery):
        await send_to_chat(target, t.PROFILE_POSITION, kb.positions())
    else:
        await target.answer(t.PROFILE_POSITION, reply_markup=kb.positions())


async def got_org_text(message: Message, state: FSMContext) -> None:
    org = " ".join((message.text or "").split())
    if not 3 <= len(org) <= ORG_LIMIT:
        await message.answer(fill(t.PROFILE_ORG_BAD, limit=ORG_LIMIT))
        return
    await _to_position(message, state, org)


async def got_org_button(
    query: CallbackQuery, callback_data: ProfileCb, state: FSMContext
) -> None:
    names: list[str] = (await state.get_data()).get("orgs", [])
    await query.answer()
    await drop_keyboard(query)
    if not 0 <= callback_data.value < len(names):
        await send_to_chat(query, t.PROFILE_ORG_TYPE)
        return
    await _to_position(query, state, names[callback_data.value])


async def _to_contact(target: Message | CallbackQuery, state: FSMContext, position: str) -> None:
    await state.update_data(position=position)
    await state.set_state(ProfileForm.contact)
    if isinstance(target, CallbackQuery):
        await send_to_chat(target, t.PROFILE_CONTACT, kb.share_phone())
    else:
        await target.answer(t.PROFILE_CONTACT, reply_markup=kb.share_phone())


async def got_position_text(message: Message, state: FSMContext) -> None:
    position = " ".join((message.text or "").split())
    if not 3 <= len(position) <= POSITION_LIMIT:
        await message.answer(fill(t.PROFILE_POSITION_BAD, limit=POSITION_LIMIT))
        return
    await _to_contact(message, state, position)


async def got_position_button(
    query: CallbackQuery, callback_data: ProfileCb, state: FSMContext
) -> None:
    await query.answer()
    await drop_keyboard(query)
    if 0 <= callback_data.value < len(t.POSITIONS):
        await _to_contact(query, state, t.POSITIONS[callback_data.value])


async def got_contact(message: Message, state: FSMContext) -> None:
    contact: str | None = None
    if message.contact is not None and message.from_user is not None:
        if message.contact.user_id in (None, message.from_user.id):
            contact = normalize_phone(message.contact.phone_number)
    elif message.text:
        contact = normalize_contact(message.text)
    if contact is None:
        await message.answer(t.PROFILE_CONTACT_BAD, reply_markup=kb.share_phone())
        return
    await state.update_data(contact=contact)
    await state.set_state(ProfileForm.mailing)
    taken = fill(t.PROFILE_CONTACT_TAKEN, c=contact)
    await message.answer(taken, reply_markup=ReplyKeyboardRemove())
    await message.answer(t.MAILING, reply_markup=kb.yes_no("mail", t.BTN_MAIL_YES, t.BTN_MAIL_NO))


async def got_consent(
    query: CallbackQuery,
    callback_data: ProfileCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    user: User | None,
    is_admin: bool,
) -> None:
    await query.answer()
    await drop_keyboard(query)
    if callback_data.value != 1 or user is None:
        await state.clear()
        refused = fill_region(t.CONSENT_REFUSED, phone=settings.moc_phone)
        if user is not None and await repo.profiles.get(user.id) is not None:
            refused = t.CONSENT_REFUSED_EDIT  # «Изменить профиль»: the old one stays
        menu = keyboards.main_menu(user.role if user else None, is_admin)
        await send_to_chat(query, refused, menu)
        return
    agreed = await teachers.agree(repo, user.id)
    await repo.commit()  # the proof before the first answer (and before the FSM's own write)
    await state.update_data(agreed)
    await state.set_state(ProfileForm.name)
    await send_to_chat(query, t.PROFILE_START)


async def got_mailing(
    query: CallbackQuery,
    callback_data: ProfileCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    user: User | None,
    is_admin: bool,
    bot: Bot,
    clock: Clock,
) -> None:
    data: dict[str, Any] = await state.get_data()
    await state.clear()  # first: a double tap finds no dialog and saves nothing twice
    await query.answer()
    await drop_keyboard(query)
    if user is None or not teachers.complete(data):
        await send_to_chat(query, t.PROFILE_DIALOG_STALE)
        return
    mailing = callback_data.value == 1
    new_teacher = await become_teacher(repo, user)  # a teacher's profile: «Мои записи»
    await teachers.save(repo, user, data, mailing)
    await repo.commit()
    news = await registry.news_on_registering(repo, user.id) if new_teacher else ""
    await send_to_chat(query, t.PROFILE_SAVED + news, keyboards.main_menu(user.role, is_admin))
    event_id = data.get("pending_event")
    event = await repo.events.get(int(event_id)) if event_id else None
    if event is not None:
        await register_and_confirm(
            TelegramMessenger(bot), user.id, event, repo, settings, clock.now()
        )


async def show_profile(message: Message, repo: Repositories, user: User | None) -> None:
    profile = await repo.profiles.get(user.id) if user else None
    if profile is None:
        await message.answer(t.PROFILE_NONE)
        return
    await message.answer(
        fill(
            t.PROFILE_SHOW,
            name=profile.full_name,
            organisation=profile.organisation,
            position=profile.position,
            contact=profile.contact,
            mailing="да" if profile.mailing_consent else "нет",
        ),
        reply_markup=kb.profile(),
    )


async def edit_profile(
    query: CallbackQuery, state: FSMContext, repo: Repositories, settings: Settings, clock: Clock
) -> None:
    await start_profile(query, state, repo, None, settings, clock.now())


async def answered_before(query: CallbackQuery) -> None:
    """A second tap on a step already answered («Согласен» twice): the form is still open, so
    point at its question; «Кнопка устарела. Откройте /menu» would lead out of the form."""
    await query.answer(t.FORM_OPEN)


async def reprompt(message: Message, state: FSMContext) -> None:
    """Anything unexpected inside the dialog (a sticker, a photo) gets the question again."""
    prompts = {
        ProfileForm.name.state: t.PROFILE_START,
        ProfileForm.organisation.state: t.PROFILE_ORG_TYPE,
        ProfileForm.position.state: t.PROFILE_POSITION,
        ProfileForm.contact.state: t.PROFILE_CONTACT_BAD,
        ProfileForm.consent.state: t.CONSENT_PRESS,
        ProfileForm.mailing.state: "Нажмите «Да, присылать» или «Нет, спасибо» выше.",
    }
    await message.answer(prompts.get(await state.get_state() or "", texts.ASK_REPROMPT))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_profile, Command("profile"))
    router.message.register(show_profile, F.text == texts.BTN_PROFILE)
    router.message.register(show_profile, Typed("profile"), StateFilter(None))
    router.callback_query.register(edit_profile, ProfileCb.filter(F.field == "edit"))
    router.message.register(got_name, ProfileForm.name, F.text, NOT_COMMAND)
    router.message.register(got_org_text, ProfileForm.organisation, F.text, NOT_COMMAND)
    router.callback_query.register(
        got_org_button, ProfileForm.organisation, ProfileCb.filter(F.field == "org")
    )
    router.message.register(got_position_text, ProfileForm.position, F.text, NOT_COMMAND)
    router.callback_query.register(
        got_position_button, ProfileForm.position, ProfileCb.filter(F.field == "pos")
    )
    router.message.register(got_contact, ProfileForm.contact, F.text | F.contact, NOT_COMMAND)
    router.callback_query.register(
        got_consent, ProfileForm.consent, ProfileCb.filter(F.field == "consent")
    )
    router.callback_query.register(
        got_mailing, ProfileForm.mailing, ProfileCb.filter(F.field == "mail")
    )
    router.callback_query.register(answered_before, StateFilter(ProfileForm), ProfileCb.filter())
    router.message.register(reprompt, ProfileForm.name, NOT_COMMAND)
    router.message.register(reprompt, ProfileForm.organisation, NOT_COMMAND)
    router.message.register(reprompt, ProfileForm.position, NOT_COMMAND)
    router.message.register(reprompt, ProfileForm.contact, NOT_COMMAND)
    router.message.register(reprompt, ProfileForm.consent, NOT_COMMAND)
    router.message.register(reprompt, ProfileForm.mailing, NOT_COMMAND)
    return router
