"""The staff side of broadcasts: composing one (/broadcast, «📣 Рассылка», «📣 Анонсировать» on
an event card), the list of recent ones (/broadcasts) with cancel, reschedule and «Кто
ознакомился».

The dialog asks one thing per step; the draft lives in FSM data as JSON, so a restart resumes
it. The preview is sent through the same TelegramChannel the worker uses, so the admin sees
exactly what recipients will. Confirming runs under a per-user lock, checks that the draft is
still there and clears it before creating: a double tap creates one broadcast. Sending itself
is the worker's job; this module only writes the broadcast and hands it the progress message.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import select

from bot import events_view
from bot.callbacks import AdminEventCb
from bot.clock import Clock
from bot.config import Settings
from bot.dates import DateParseError, ensure_future, format_local, parse_local_datetime
from bot.filters import IsAdmin
from bot.keyboards import broadcasts as kb
from bot.render import clip, fill, q, split_message
from bot.texts import broadcasts as t
from bot.tg import drop_keyboard, edit_or_send, send_to_chat
from broadcasts import service
from broadcasts.channel import Sent
from broadcasts.content import CAPTION_LIMIT, TEXT_LIMIT, Content, Kind, LinkButton
from broadcasts.telegram import TelegramChannel
from handlers.acks import PREVIEW_ID
from handlers.events import open_for_signup
from handlers.events_admin import OneAtATime, deny_callback, deny_message
from handlers.events_admin_edit import Reply, reply_in, reply_to
from storage.models import Broadcast, BroadcastState, Chat, Event, EventStatus, User
from storage.repositories import Repositories
from storage.repositories.chats import clean_tag

if TYPE_CHECKING:
    from broadcasts.worker import BroadcastWorker


class Compose(StatesGroup):
    content = State()
    audience = State()
    tags = State()
    button = State()
    ack = State()
    when = State()
    repeat = State()
    preview = State()


# --- the draft (FSM data, JSON) -------------------------------------------------------------


def draft_content(data: dict[str, Any]) -> Content:
    button = data.get("button")
    return Content(
        kind=data.get("kind", "text"),
        text=data.get("text", ""),
        file_id=data.get("file_id"),
        button=LinkButton(**button) if button else None,
        ack=bool(data.get("ack")),
    )


def draft_target(data: dict[str, Any]) -> service.Target:
    """Tags narrow to tagged groups; private subscribers carry no tags, so they are left out."""
    tags = tuple(data.get("tags", []))
    return service.Target(tuple(data.get("audiences", [])), tags, include_private=not tags)


def draft_at(data: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(data["at"]) if data.get("at") else None


async def recipients_count(repo: Repositories, data: dict[str, Any]) -> int:
    if not data.get("audiences"):
        return 0
    return await service.count_recipients(repo.session, draft_target(data))


def audiences_text(data: dict[str, Any]) -> str:
    return ", ".join(t.AUDIENCE_LABELS.get(a, a) for a in data.get("audiences", []))


# --- step 1: the message ----------------------------------------------------------------------


async def start(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Compose.content)
    await message.answer(t.ASK_CONTENT, reply_markup=kb.cancel_only())


def _kind_and_file(message: Message) -> tuple[Kind, str | None] | None:
    if message.photo:
        return "photo", max(message.photo, key=lambda p: p.width * p.height).file_id
    if message.document is not None:
        return "document", message.document.file_id
    if message.text is not None:
        return "text", None
    return None


async def got_content(message: Message, state: FSMContext, repo: Repositories) -> None:
    found = _kind_and_file(message)
    if found is None:
        await message.answer(t.CONTENT_WRONG_KIND, reply_markup=kb.cancel_only())
        return
    kind, file_id = found
    if kind == "text" and (message.text or "").startswith("/"):
        await message.answer(t.CONTENT_COMMAND, reply_markup=kb.cancel_only())
        return
    visible = message.text or message.caption or ""
    limit = TEXT_LIMIT if kind == "text" else CAPTION_LIMIT
    if len(visible) > limit:
        what = t.WHAT_TEXT if kind == "text" else t.WHAT_CAPTION
        too_long = fill(t.CONTENT_TOO_LONG, what=what, length=len(visible), limit=limit)
        await message.answer(too_long, reply_markup=kb.cancel_only())
        return
    # html_text keeps the admin's formatting and escapes what they typed literally
    content = Content(kind, message.html_text, file_id)
    problems = content.problems()
    if problems:
        listed = "\n".join(f"• {q(p)}" for p in problems)
        await message.answer(t.CONTENT_PROBLEMS.format(problems=listed))
        return
    await state.update_data(kind=kind, text=content.text, file_id=file_id)
    await ask_audience(reply_to(message), state, repo)


# --- step 2: audiences and tags ---------------------------------------------------------------


async def ask(
    reply: Reply, state: FSMContext, step: State, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    await state.set_state(step)
    await reply(text, markup)


async def pressed(query: CallbackQuery) -> Reply:
    """Answer the press and take the question's buttons away; replies go to the same chat."""
    await query.answer()
    await drop_keyboard(query)
    return reply_in(query)


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
    value = callback_data.value
    if value == kb.ALL:
        every = all(a in chosen for a in service.ALL_AUDIENCES)
        others = [a for a in chosen if a not in service.ALL_AUDIENCES]
        chosen = others if every else [*others, *service.ALL_AUDIENCES]
    elif value in t.AUDIENCE_LABELS:
        chosen = [a for a in chosen if a != value] if value in chosen else [*chosen, value]
    order = list(t.AUDIENCE_LABELS)
    await state.update_data(audiences=sorted(set(chosen), key=order.index))
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


def parse_tags(text: str) -> list[str] | None:
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    tags = [clean_tag(p) for p in parts]
    if not parts or any(tag is None for tag in tags):
        return None
    return sorted({tag for tag in tags if tag is not None})


async def got_tags(message: Message, state: FSMContext, repo: Repositories) -> None:
    tags = parse_tags(message.text or "")
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


# --- steps 3–5: button, «Ознакомлен», time and repetition -------------------------------------


async def after_target(reply: Reply, state: FSMContext) -> None:
    """An event announcement brings its own button; other drafts are asked for one."""
    if (await state.get_data()).get("button_fixed"):
        await ask_ack(reply, state)
    else:
        await ask(reply, state, Compose.button, t.ASK_BUTTON, kb.button_choice())


async def ask_ack(reply: Reply, state: FSMContext) -> None:
    await ask(reply, state, Compose.ack, t.ASK_ACK, kb.ack_choice())


def parse_button(text: str) -> LinkButton | None:
    """«Надпись | https://…»; None unless Telegram would take it."""
    label, bar, url = text.partition("|")
    button = LinkButton(" ".join(label.split()), url.strip())
    checked = Content("text", "x", button=button)
    if not bar or " " in button.url or "." not in button.url or checked.problems():
        return None
    return button


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
    now = clock.now()
    events = [e for e in await repo.events.upcoming(now, limit=30) if open_for_signup(e, now)]
    items = [
        (e.id, f"{events_view.short_when(e.starts_at, settings.tz)} · {clip(e.title, 40)}")
        for e in events[:10]
    ]
    await reply(t.ASK_EVENT if items else t.NO_EVENTS, kb.events(items))


async def event_link(bot: Bot, event_id: int) -> dict[str, str]:
    """The deep link that opens the event's card with «Записаться» (handlers.start)."""
    me = await bot.me()
    url = f"https://t.me/{me.username}?start=event_{event_id}"
    return {"label": t.EVENT_BUTTON_LABEL, "url": url}


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


def parse_moment(text: str, settings: Settings, clock: Clock) -> datetime:
    """A typed local date and time as aware UTC in the future; DateParseError otherwise."""
    now = clock.now()
    return ensure_future(parse_local_datetime(text, settings.tz, now), settings.tz, now)


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


# --- step 6: preview, test, confirm -----------------------------------------------------------


async def show_preview(
    bot: Bot, chat_id: int, state: FSMContext, repo: Repositories, settings: Settings
) -> None:
    await state.set_state(Compose.preview)
    data = await state.get_data()
    failure = await send_sample(bot, chat_id, data)
    if failure:
        await bot.send_message(chat_id, fill(t.TEST_FAILED, error=failure))
    at = draft_at(data)
    tags = fill(t.PREVIEW_TAGS, tags=", ".join(data["tags"])) if data.get("tags") else ""
    summary = t.PREVIEW_SUMMARY.format(
        count=await recipients_count(repo, data),
        when=q(format_local(at, settings.tz)) if at else t.WHEN_NOW,
        repeat=t.REPEAT_WEEKLY if data.get("repeat") else t.REPEAT_NONE,
        audiences=q(audiences_text(data)),
        tags=tags,
    )
    await bot.send_message(chat_id, summary, reply_markup=kb.preview(at is None))


async def send_sample(bot: Bot, chat_id: int, data: dict[str, Any]) -> str | None:
    """The message as a group will get it, through the worker's own channel (its «Ознакомлен»
    records nothing); None when it went out, else Telegram's reason."""
    channel = TelegramChannel(bot)
    content = draft_content(data)
    outcome = await channel.send(chat_id, content, broadcast_id=PREVIEW_ID, is_private=False)
    return None if isinstance(outcome, Sent) else str(getattr(outcome, "reason", outcome))


async def send_test(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    failure = await send_sample(bot, query.from_user.id, await state.get_data())
    await query.answer(fill(t.TEST_FAILED, error=failure) if failure else t.TEST_SENT)


async def change_when(query: CallbackQuery, state: FSMContext) -> None:
    await ask(await pressed(query), state, Compose.when, t.ASK_WHEN, kb.when_choice())


async def confirm(
    query: CallbackQuery,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    broadcast_worker: BroadcastWorker | None = None,
) -> None:
    if await state.get_state() != Compose.preview.state:  # read under OneAtATime's lock
        await query.answer(t.DIALOG_STALE, show_alert=True)
        return
    data = await state.get_data()
    await state.clear()  # before writing: a second tap now finds nothing to confirm
    await query.answer()
    at, chat_id = draft_at(data), query.from_user.id
    when = format_local(at, settings.tz) if at else ""
    progress = await bot.send_message(
        chat_id, fill(t.PROGRESS_AT, moment=when) if at else t.PROGRESS_NOW
    )
    try:
        broadcast = await service.create_broadcast(
            repo.session, author_id=chat_id, content=draft_content(data),
            target=draft_target(data), at=at, now=clock.now(), repeat=data.get("repeat", ""),
            progress=(chat_id, progress.message_id),
        )  # fmt: skip
        await repo.commit()
    except Exception as exc:
        await repo.rollback()
        await state.set_state(Compose.preview)  # keep the draft at the preview
        await state.set_data(data)
        with suppress(TelegramAPIError):
            await progress.delete()
        if not isinstance(exc, service.BroadcastError):
            raise
        label = t.BTN_CONFIRM_AT if at else t.BTN_CONFIRM_NOW
        await send_to_chat(query, fill(t.CREATE_FAILED, error=str(exc), confirm=label))
        return
    await drop_keyboard(query)
    repeat = t.CREATED_REPEAT if data.get("repeat") else ""
    done = (
        fill(t.CREATED_AT, id=broadcast.id, moment=when, repeat=repeat)
        if at
        else fill(t.CREATED_NOW, id=broadcast.id)
    )
    await send_to_chat(query, done)
    if broadcast_worker is not None and at is None:
        broadcast_worker.wake()  # «Сейчас» means now, not at the worker's next poll


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await (await pressed(query))(t.DIALOG_CANCELLED, None)


async def reprompt(message: Message, raw_state: str | None) -> None:
    """A wrong kind of answer (a sticker, text where a button is expected): ask again."""
    prompts = {
        Compose.tags.state: (t.TAGS_BAD, kb.tags()),
        Compose.button.state: (t.BUTTON_BAD, kb.button_choice()),
        Compose.when.state: (t.ASK_WHEN, kb.when_choice()),
    }
    text, markup = prompts.get(raw_state or "", (t.REPROMPT_BUTTONS, None))
    await message.answer(text, reply_markup=markup)


# --- «📣 Анонсировать» on an event card -------------------------------------------------------


def announcement(event: Event, settings: Settings) -> str:
    """Title, time, place and seats, worded as on the event card."""
    return t.ANNOUNCE.format(
        title=q(event.title),
        when=events_view.when_text(event.starts_at, event.duration_min, settings.tz),
        place=events_view.place_text(event, show_link=False),
        seats=events_view.seats_text(event),
    )


async def announce(
    query: CallbackQuery,
    callback_data: AdminEventCb,
    state: FSMContext,
    repo: Repositories,
    settings: Settings,
    bot: Bot,
) -> None:
    event = await repo.events.get(callback_data.id)
    if event is None or event.status == EventStatus.CANCELLED:
        await query.answer(t.EVENT_GONE, show_alert=True)
        return
    await query.answer()
    await state.clear()
    await state.set_data({
        "kind": "text", "text": announcement(event, settings), "file_id": None,
        "button": await event_link(bot, event.id), "button_fixed": True,
    })  # fmt: skip
    await send_to_chat(query, t.ANNOUNCE_STARTED)
    await ask_audience(reply_in(query), state, repo)


# --- /broadcasts: the list, cancel, reschedule, «Кто ознакомился» ----------------------------


class Move(StatesGroup):
    when = State()  # data: broadcast_id


def status_line(item: service.Status, settings: Settings) -> str:
    return t.LIST_LINE.format(
        id=item.id,
        state=t.STATE_LABELS.get(item.state, q(item.state)),
        when=format_local(item.scheduled_at, settings.tz),
        repeat=t.LIST_REPEAT if item.repeat else "",
        preview=q(clip(item.preview, 100)),
        sent=item.sent,
        total=item.total,
        blocked=item.blocked,
        failed=item.failed,
        pending=item.pending,
    )


async def with_ack(repo: Repositories, ids: list[int]) -> set[int]:
    """Which of these broadcasts carry «Ознакомлен» (Status does not say)."""
    rows = await repo.session.execute(
        select(Broadcast.id, Broadcast.content).where(Broadcast.id.in_(ids))
    )
    return {bid for bid, raw in rows if Content.from_json(raw).ack}


async def list_broadcasts(message: Message, repo: Repositories, settings: Settings) -> None:
    items = await service.recent(repo.session, limit=10)
    if not items:
        await message.answer(t.LIST_EMPTY)
        return
    acks = await with_ack(repo, [item.id for item in items])
    markup = kb.broadcast_actions(
        [item.id for item in items if item.state == BroadcastState.SCHEDULED],
        [item.id for item in items if item.id in acks],
    )
    lines = [status_line(item, settings) for item in items]
    await message.answer("\n\n".join([t.LIST_TITLE, *lines]), reply_markup=markup)


async def broadcast_action(
    query: CallbackQuery, callback_data: kb.BroadcastCb, state: FSMContext, repo: Repositories
) -> None:
    bid = callback_data.id
    if callback_data.action == "cancel":
        await cancel_one(query, bid, repo)
    elif callback_data.action == "move":
        await ask_move(query, bid, state, repo)
    else:
        await show_acks(query, bid, repo)


async def _refuse(
    query: CallbackQuery, template: str, item: service.Status | None, bid: int
) -> None:
    if item is None:
        await query.answer(fill(t.NOT_FOUND, id=bid), show_alert=True)
        return
    label = t.STATE_LABELS.get(item.state, item.state)
    await query.answer(fill(template, id=bid, state=label), show_alert=True)


async def cancel_one(query: CallbackQuery, bid: int, repo: Repositories) -> None:
    cancelled = await service.cancel_broadcast(repo.session, bid)
    await repo.commit()
    if cancelled:
        await query.answer()
        await send_to_chat(query, fill(t.CANCELLED_ONE, id=bid, who=query.from_user.full_name))
        return
    item = await service.status(repo.session, bid)
    if item is not None and item.state == BroadcastState.CANCELLED:
        await query.answer(fill(t.ALREADY_CANCELLED, id=bid), show_alert=True)
        return
    await _refuse(query, t.CANNOT_CANCEL, item, bid)


async def ask_move(query: CallbackQuery, bid: int, state: FSMContext, repo: Repositories) -> None:
    item = await service.status(repo.session, bid)
    if item is None or item.state != BroadcastState.SCHEDULED:
        await _refuse(query, t.CANNOT_MOVE, item, bid)
        return
    await query.answer()
    await state.clear()
    await state.set_state(Move.when)
    await state.set_data({"broadcast_id": bid})
    await send_to_chat(query, fill(t.ASK_MOVE, id=bid))


async def got_move(
    message: Message, state: FSMContext, repo: Repositories, settings: Settings, clock: Clock
) -> None:
    bid = int((await state.get_data()).get("broadcast_id", 0))
    try:
        at = parse_moment(message.text or "", settings, clock)
    except DateParseError as exc:
        await message.answer(f"{exc}\n\n{fill(t.ASK_MOVE, id=bid)}")
        return
    moved = await service.reschedule(repo.session, bid, at, clock.now())  # at is in the future
    await repo.commit()
    await state.clear()
    if moved:
        await message.answer(fill(t.MOVED, id=bid, moment=format_local(at, settings.tz)))
        return
    item = await service.status(repo.session, bid)
    label = t.STATE_LABELS.get(item.state, item.state) if item else "—"
    await message.answer(fill(t.CANNOT_MOVE, id=bid, state=label))


async def reprompt_move(message: Message, state: FSMContext) -> None:
    bid = int((await state.get_data()).get("broadcast_id", 0))
    await message.answer(fill(t.ASK_MOVE, id=bid))


def _names(names: list[str], limit: int = 40) -> str:
    shown = [f"• {q(name)}" for name in names[:limit]]
    if len(names) > limit:
        shown.append(fill(t.ACKS_MORE, count=len(names) - limit))
    return "\n".join(shown)


async def acks_text(repo: Repositories, bid: int) -> str:
    report = await service.ack_report(repo.session, bid)
    rows = await repo.session.execute(
        select(Chat.id, Chat.title).where(Chat.id.in_(list(report.by_chat)))
    )
    titles: dict[int, str] = {chat_id: title for chat_id, title in rows}
    grouped: dict[str, list[str]] = {}
    for chat_id, names in report.by_chat.items():
        title = titles.get(chat_id) or (t.PRIVATE_CHATS if chat_id > 0 else str(chat_id))
        grouped.setdefault(title, []).extend(names)
    parts = [fill(t.ACKS_TITLE, id=bid)]
    for title, names in grouped.items():
        parts.append(t.ACKS_CHAT.format(title=q(title), count=len(names), names=_names(names)))
    if not grouped:
        parts.append(t.ACKS_NONE)
    if report.pending_private:
        users = await repo.session.scalars(select(User).where(User.id.in_(report.pending_private)))
        names = sorted(u.full_name for u in users)
        parts.append(t.ACKS_PENDING.format(count=len(names), names=_names(names)))
    return "\n".join(parts)


async def show_acks(query: CallbackQuery, bid: int, repo: Repositories) -> None:
    broadcast = await repo.session.get(Broadcast, bid)
    if broadcast is None:
        await query.answer(fill(t.NOT_FOUND, id=bid), show_alert=True)
        return
    if not Content.from_json(broadcast.content).ack:
        await query.answer(fill(t.NO_ACK_BUTTON, id=bid), show_alert=True)
        return
    await query.answer()
    # every line closes its own tags, and split_message cuts at line ends
    for part in split_message(await acks_text(repo, bid)):
        await send_to_chat(query, part)


# --- assembly ---------------------------------------------------------------------------------


def _step(step: str) -> Any:
    return kb.ComposeCb.filter(F.step == step)


def _compose_router() -> Router:
    router = Router(name=f"{__name__}.compose")
    router.message.register(got_content, Compose.content)
    router.message.register(got_tags, Compose.tags, F.text)
    router.message.register(got_button, Compose.button, F.text)
    router.message.register(got_when, Compose.when, F.text)
    router.message.register(reprompt, StateFilter(Compose))
    router.callback_query.register(cancel, _step("cancel"), StateFilter(Compose))
    router.callback_query.register(toggle_audience, _step("aud"), Compose.audience)
    router.callback_query.register(audience_done, _step("aud_done"), Compose.audience)
    router.callback_query.register(back_to_audience, _step("back_aud"), Compose.tags)
    router.callback_query.register(no_tags, _step("tags"), Compose.tags)
    router.callback_query.register(button_choice, _step("btn"), Compose.button)
    router.callback_query.register(pick_event, _step("event"), Compose.button)
    router.callback_query.register(ack_choice, _step("ack"), Compose.ack)
    router.callback_query.register(when_now, _step("now"), Compose.when)
    router.callback_query.register(repeat_choice, _step("repeat"), Compose.repeat)
    router.callback_query.register(send_test, _step("test"), Compose.preview)
    router.callback_query.register(change_when, _step("change_when"), Compose.preview)
    router.callback_query.register(confirm, _step("confirm"))
    return router


def _staff_router() -> Router:
    router = Router(name=f"{__name__}.staff")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.callback_query.middleware(OneAtATime())
    router.message.register(start, Command("broadcast"))
    router.message.register(start, F.text == t.BTN_BROADCAST)
    router.callback_query.register(announce, AdminEventCb.filter(F.action == "announce"))
    router.message.register(list_broadcasts, Command("broadcasts"))
    router.callback_query.register(broadcast_action, kb.BroadcastCb.filter())
    router.message.register(got_move, Move.when, F.text)
    router.message.register(reprompt_move, Move.when)
    router.include_router(_compose_router())
    return router


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(deny_message, Command("broadcast", "broadcasts"), ~IsAdmin())
    router.message.register(deny_message, F.text == t.BTN_BROADCAST, ~IsAdmin())
    staff_callbacks = or_f(
        kb.ComposeCb.filter(), kb.BroadcastCb.filter(), AdminEventCb.filter(F.action == "announce")
    )
    router.callback_query.register(deny_callback, staff_callbacks, ~IsAdmin())
    router.include_router(_staff_router())
    return router
