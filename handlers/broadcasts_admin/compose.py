"""Starting a broadcast (/broadcast, «📣 Рассылка», «📣 Анонсировать» on an event card) and its
first steps: the message itself, then audiences and tags. The dialog asks one thing per step;
a «Отмена» button under every question ends it."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill, q
from bot.services.staff import composing
from bot.services.staff.composing import audiences_text, recipients_count
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.content import CAPTION_LIMIT, TEXT_LIMIT, Content, Kind
from handlers.broadcasts_admin.album import too_big_for_max
from handlers.broadcasts_admin.draft import (
    Compose,
    ask,
    opened,
    pressed,
    step_button,
)
from handlers.broadcasts_admin.options import after_target
from handlers.tg import deep_links
from handlers.tg.callbacks import AdminEventCb
from handlers.tg.edits import edit_or_send
from handlers.tg.keyboards import broadcasts as kb
from handlers.tg.replies import Reply, reply_in, reply_to
from storage.repositories import Repositories

# --- step 1: the message ----------------------------------------------------------------------


async def start(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Compose.content)
    await opened(state, message.message_id)
    await message.answer(t.ASK_CONTENT, reply_markup=kb.cancel_only())


def _kind_and_file(message: Message) -> tuple[Kind, str | None] | None:
    if message.photo:
        return "photo", max(message.photo, key=lambda p: p.width * p.height).file_id
    if message.document is not None:
        return "document", message.document.file_id
    if message.text is not None:
        return "text", None
    return None


async def got_content(
    message: Message, state: FSMContext, repo: Repositories, settings: Settings
) -> None:
    album = message.media_group_id  # an album's files come one message each, in a row
    if album is not None and (await state.get_data()).get("album_refused") == album:
        return  # the rest of an album whose first file was refused: not a broadcast alone
    found = _kind_and_file(message)
    if found is None:
        await message.answer(t.CONTENT_WRONG_KIND, reply_markup=kb.cancel_only())
        return
    kind, file_id = found
    if kind == "text" and (message.text or "").startswith("/"):
        await message.answer(t.CONTENT_COMMAND, reply_markup=kb.cancel_only())
        return
    if settings.max_enabled and (refusal := too_big_for_max(message)):
        await state.update_data(album_refused=album)
        await message.answer(refusal, reply_markup=kb.cancel_only())
        return
    visible = message.text or message.caption or ""
    limit = TEXT_LIMIT if kind == "text" else CAPTION_LIMIT
    if len(visible) > limit:
        what = t.WHAT_TEXT if kind == "text" else t.WHAT_CAPTION
        too_long = fill(t.CONTENT_TOO_LONG, what=what, length=len(visible), limit=limit)
        await state.update_data(album_refused=album)
        await message.answer(too_long, reply_markup=kb.cancel_only())
        return
    # html_text keeps the admin's formatting and escapes what they typed literally
    content = Content(kind, message.html_text, file_id)
    problems = content.problems()
    if problems:
        listed = "\n".join(f"• {q(p)}" for p in problems)
        await state.update_data(album_refused=album)
        await message.answer(t.CONTENT_PROBLEMS.format(problems=listed))
        return
    await state.update_data(
        kind=kind,
        text=content.text,
        file_id=file_id,
        album=album,
        more=[],
        file_name=message.document.file_name if message.document else None,
    )  # an album's later files join it: handlers.broadcasts_admin.album
    await ask_audience(reply_to(message), state, repo)


# --- step 2: audiences and tags ---------------------------------------------------------------


async def _audience_view(
    state: FSMContext, repo: Repositories
) -> tuple[str, InlineKeyboardMarkup]:
    data = await state.get_data()
    count = await recipients_count(repo, data)
    markup = kb.audiences(data.get("audiences", []), service.ALL_AUDIENCES)
    return fill(t.ASK_AUDIENCE, count=count), markup


async def ask_audience(reply: Reply, state: FSMContext, repo: Repositories) -> None:
    await ask(reply, state, Compose.audience, *await _audience_view(state, repo))


async def toggle_audience(
    query: CallbackQuery, callback_data: kb.ComposeCb, state: FSMContext, repo: Repositories
) -> None:
    chosen: list[str] = list((await state.get_data()).get("audiences", []))
    await state.update_data(audiences=composing.toggled(chosen, callback_data.value))
    await query.answer()
    await edit_or_send(query, *await _audience_view(state, repo))


async def audience_done(query: CallbackQuery, state: FSMContext, repo: Repositories) -> None:
    data = {**await state.get_data(), "tags": []}
    if not data.get("audiences"):
        await query.answer(t.AUDIENCE_NONE_PICKED, show_alert=True)
        return
    count = await recipients_count(repo, data)
    if count == 0:  # told now, not after the admin has set everything else
        await query.answer(t.AUDIENCE_EMPTY, show_alert=True)
        return
    await state.update_data(tags=[])
    text = fill(t.ASK_TAGS, audiences=audiences_text(data), count=count)
    await ask(await pressed(query), state, Compose.tags, text, kb.tags())


async def back_to_audience(query: CallbackQuery, state: FSMContext, repo: Repositories) -> None:
    await ask_audience(await pressed(query), state, repo)


async def got_tags(message: Message, state: FSMContext, repo: Repositories) -> None:
    tags = composing.parse_tags(message.text or "")
    if tags is None:
        await message.answer(t.TAGS_BAD, reply_markup=kb.tags())
        return
    if await recipients_count(repo, {**await state.get_data(), "tags": tags}) == 0:
        await message.answer(fill(t.TAGS_EMPTY, tags=", ".join(tags)), reply_markup=kb.tags())
        return
    await state.update_data(tags=tags)
    await after_target(reply_to(message), state)


async def no_tags(query: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(tags=[])
    await after_target(await pressed(query), state)


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await (await pressed(query))(t.DIALOG_CANCELLED, None)


# --- «📣 Анонсировать» on an event card -------------------------------------------------------


announcement = composing.announcement  # tests read the wording from here


async def announce(
    query: CallbackQuery,
    callback_data: AdminEventCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
    clock: Clock,
) -> None:
    event = await repo.events.get(callback_data.id)
    refusal = composing.announce_refusal(event, clock.now())
    if event is None or refusal is not None:
        await query.answer(refusal, show_alert=True)
        return
    await query.answer()
    await state.clear()
    link = await deep_links.event_link(bot, event.id)
    await state.set_data(composing.announce_draft(event, settings, link))
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    first = await bot.send_message(chat_id, t.ANNOUNCE_STARTED)
    await opened(state, first.message_id)
    await ask_audience(reply_in(query), state, repo)


def create_router() -> Router:
    """Steps 1–2 and «Отмена»; mounted under the staff gate in handlers.broadcasts_admin."""
    router = Router(name=__name__)
    router.message.register(got_content, Compose.content)
    router.message.register(got_tags, Compose.tags, F.text)
    router.callback_query.register(cancel, step_button("cancel"), StateFilter(Compose))
    router.callback_query.register(toggle_audience, step_button("aud"), Compose.audience)
    router.callback_query.register(audience_done, step_button("aud_done"), Compose.audience)
    router.callback_query.register(back_to_audience, step_button("back_aud"), Compose.tags)
    router.callback_query.register(no_tags, step_button("tags"), Compose.tags)
    return router
