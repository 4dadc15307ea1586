"""152-ФЗ: a user can see what the bot keeps about them and delete it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.services.events.registration import notify_promoted
from bot.services.faq.querylog import QueryLog
from bot.services.tickets.posting import redact_posts
from bot.texts.chats import AUDIENCE_TITLES
from handlers.tg import keyboards
from handlers.tg.callbacks import ForgetCb
from handlers.tg.edits import drop_keyboard, send_to_chat
from handlers.tg.messenger import TelegramMessenger
from storage.models import Consent, TeacherProfile, User
from storage.repositories import Repositories


def _profile_line(profile: TeacherProfile | None) -> str:
    if profile is None:
        return "нет"
    return f"{profile.full_name}, {profile.organisation}, {profile.position}, {profile.contact}"


def _consent_lines(consents: Sequence[Consent], tz: tzinfo) -> str:
    """Plain text (escaped with the rest of /my_data): one line per consent."""
    lines = []
    for consent in consents:
        withdrawn = consent.withdrawn_at
        when = f"{withdrawn.astimezone(tz):%d.%m.%Y}" if withdrawn else ""
        lines.append(
            texts.MY_DATA_CONSENT.format(
                kind=texts.CONSENT_KINDS.get(consent.kind, consent.kind),
                version=consent.version,
                given=f"{consent.given_at.astimezone(tz):%d.%m.%Y}",
                withdrawn=texts.MY_DATA_WITHDRAWN.format(when=when) if when else "",
            )
        )
    return "".join(lines) or "нет"


async def my_data(
    message: Message,
    repo: Repositories,
    user: User | None,
    clock: Clock,
    querylog: QueryLog,
    settings: Settings,
) -> None:
    if user is None:
        return
    await querylog.flush()  # the count includes the question asked a moment ago
    audiences = await repo.chats.subscriptions(user.id)
    subscriptions = ", ".join(AUDIENCE_TITLES.get(a, a) for a in audiences) or "нет"
    consents = _consent_lines(await repo.profiles.consents(user.id), settings.tz)
    await message.answer(
        fill(
            texts.MY_DATA,
            id=user.id,
            name=user.full_name,
            username=f" (@{user.username})" if user.username else "",
            role=texts.ROLE_TITLES.get(user.role or "", "не выбрана"),
            tickets=await repo.tickets.count_for_user(user.id),
            profile=_profile_line(await repo.profiles.get(user.id)),
            registrations=len(await repo.events.for_user(user.id, clock.now())),
            queries=await repo.faq_log.for_user(user.id),
            since=user.created_at.strftime("%d.%m.%Y"),
            subscriptions=subscriptions,
            acks=await repo.users.acks_count(user.id),
            consents=consents,
        ),
        reply_markup=keyboards.my_data(),
    )


async def forget_me(message: Message) -> None:
    await message.answer(texts.FORGET_CONFIRM, reply_markup=keyboards.forget_confirm())


async def forget_cb(
    query: CallbackQuery,
    callback_data: ForgetCb,
    repo: Repositories,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
    settings: Settings,
    querylog: QueryLog,
) -> None:
    await query.answer()
    if callback_data.action == "ask":
        await send_to_chat(query, texts.FORGET_CONFIRM, keyboards.forget_confirm())
        return
    await drop_keyboard(query)
    if callback_data.action != "yes":
        await send_to_chat(query, texts.FORGET_KEPT)
        return
    # Seats first: a deleted registration must hand its seat to the waiting list.
    promoted = []
    for registration in await repo.events.for_user(query.from_user.id, clock.now()):
        result = await repo.events.cancel(registration, clock.now())
        if result.promoted is not None:
            promoted.append((result.promoted, registration.event))
    querylog.discard(query.from_user.id)  # questions not yet written never will be
    posts = await repo.tickets.posts_for_user(query.from_user.id)
    await repo.users.forget(query.from_user.id)
    await repo.commit()
    await repo.users.scrub_log()
    await state.clear()
    await send_to_chat(query, texts.FORGOTTEN, ReplyKeyboardRemove())
    await redact_posts(TelegramMessenger(bot), posts)
    for registration, event in promoted:
        await notify_promoted(TelegramMessenger(bot), registration, event, settings)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(my_data, Command("my_data"))
    router.message.register(my_data, F.text == texts.BTN_MY_DATA)
    router.message.register(forget_me, Command("forget_me"))
    router.callback_query.register(forget_cb, ForgetCb.filter())
    return router
