"""МОЦ staff write a broadcast in MAX: /broadcast, «✏️ Новая рассылка» under /broadcasts or
«📣 Анонсировать» under an event card, then Telegram's questions one by one — the text,
audiences, tags, a link button, «Ознакомлен», the time, the weekly repeat — a preview and
«✅ Отправить» / «✅ Запланировать». The broadcast goes through broadcasts.service like one
written in Telegram or the panel, to both messengers' chats.

The draft and what it means are bot.services.staff.composing's (shared with
handlers/broadcasts_admin); this module asks and carries. It waits in the dialog's row in the
database (state `bcw`, the draft as JSON with the step asked now), so a restart mid-way
resumes it. Buttons carry Telegram's payloads (`bcc:<step>:<value>`); a press under a message
older than the draft's first question, or under a summary other than the latest, changes
nothing. The role is checked on every message and press. «Отправить» clears the draft before
writing and one person's updates are handled one at a time (handlers.max.dispatch): a double
tap creates one broadcast. A photo or document with its caption is fetched and stored as the
panel stores an upload (handlers.max.broadcast_file). The author gets Telegram's progress
message, which the worker edits as delivery goes (composing.create_with_progress).
"""

from __future__ import annotations

from typing import Final

from bot import texts
from bot.core.dates import DateParseError
from bot.core.markup import fill, q
from bot.core.messages import Keyboard, MessageRef
from bot.core.words import means_cancel
from bot.services.events.links import event_payload
from bot.services.staff import composing
from bot.services.staff.composing import Draft
from bot.texts import broadcasts as t
from bot.texts import events_admin as events_texts
from bot.texts import max as max_texts
from broadcasts import service
from broadcasts.content import TEXT_LIMIT, Content
from handlers.max import broadcast_file, pictures, updates
from handlers.max import broadcast_keys as kb
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff, visit
from handlers.max.signup_link import for_max
from handlers.max.typed_html import typed_html

STATE: Final = "bcw"
LIMIT: Final = min(TEXT_LIMIT, 4000)  # MAX takes 4000 characters a message
CANCELLED: Final = t.DIALOG_CANCELLED
SINCE: Final = "since"  # the seq of the draft's first message: older buttons are closed


# --- the draft in the dialog's row --------------------------------------------------------------


async def draft(v: Visit) -> Draft | None:
    """The draft; None outside the dialog ({} for a broken row)."""
    return await v.held_dict() if v.state == STATE else None


async def keep(v: Visit, data: Draft) -> None:
    await v.hold_dict(STATE, data)


async def ask(v: Visit, data: Draft, step: str, text: str, buttons: Keyboard | None) -> MessageRef:
    """Keep the draft at `step`, then ask its question; the message sent."""
    data["step"] = step
    await keep(v, data)
    return await v.say(text, buttons)


async def opened(v: Visit, data: Draft, text: str, buttons: Keyboard | None = None) -> None:
    """The draft's first message: presses under anything older are a closed draft's."""
    await keep(v, data)
    first = await v.say(text, buttons)
    if first.message_id:
        data[SINCE] = first.message_id
        await keep(v, data)


# --- starting -----------------------------------------------------------------------------------


async def begin(v: Visit) -> None:
    """/broadcast and «✏️ Новая рассылка»: a fresh draft, for staff only."""
    if not v.is_admin:
        await v.say(texts.ADMIN_ONLY)
        return
    asking = fill(max_texts.BROADCAST_ASK_TEXT, limit=LIMIT)
    await opened(v, {"step": "content"}, asking, kb.CANCEL_ONLY)


def event_link(v: Visit, event_id: int) -> str | None:
    """The event card's start link: Telegram's when this bot has one (as a broadcast written
    in Telegram carries), else MAX's."""
    links = v.ctx.roster.deep_links
    base = links.get("tg") or links.get("max")
    return f"{base}?start={event_payload(event_id)}" if base else None


async def announce(v: Visit, event_id: int | None) -> None:
    """«📣 Анонсировать» under a MAX event card: the announcement, then the audiences."""
    event = await v.repo.events.get(event_id) if event_id else None
    refusal = composing.announce_refusal(event, v.ctx.clock.now())
    link = event_link(v, event.id) if event is not None else None
    if event is None or refusal is not None or link is None:
        await updates.answer(v.ctx, v.update, refusal or t.EVENT_GONE)
        return
    await updates.answer(v.ctx, v.update)
    data = composing.announce_draft(event, v.ctx.settings, link)
    await opened(v, data, t.ANNOUNCE_STARTED)
    await ask_audience(v, data)


# --- the steps ----------------------------------------------------------------------------------


async def audience_view(v: Visit, data: Draft) -> tuple[str, Keyboard]:
    count = await composing.recipients_count(v.repo, data)
    return fill(t.ASK_AUDIENCE, count=count), kb.audiences(data.get("audiences", []))


async def ask_audience(v: Visit, data: Draft) -> None:
    await ask(v, data, "audience", *await audience_view(v, data))


async def after_target(v: Visit, data: Draft) -> None:
    """An announcement brings its own button; other drafts are asked for one."""
    if data.get("button_fixed"):
        await ask(v, data, "ack", t.ASK_ACK, kb.ACK)
    else:
        await ask(v, data, "button", t.ASK_BUTTON, kb.BUTTON)


async def got_content(v: Visit, data: Draft, text: str) -> None:
    if len(text) > LIMIT:
        too_long = fill(max_texts.BROADCAST_TOO_LONG, length=len(text), limit=LIMIT)
        await v.say(too_long, kb.CANCEL_ONLY)
        return
    # shown as typed ("<" is no tag), with the bold, italics and links MAX kept apart
    content = Content("text", typed_html(v.update))
    if problems := content.problems():
        listed = "\n".join(f"• {q(p)}" for p in problems)
        await v.say(t.CONTENT_PROBLEMS.format(problems=listed), kb.CANCEL_ONLY)
        return
    data.update(
        kind="text", text=content.text, file_id=None, stored_file=None, file_name=None, more=[]
    )
    await ask_audience(v, data)


async def got_tags(v: Visit, data: Draft, text: str) -> None:
    tags = composing.parse_tags(text)
    if tags is None:
        await v.say(t.TAGS_BAD, kb.TAGS)
    elif await composing.recipients_count(v.repo, {**data, "tags": tags}) == 0:
        await v.say(fill(t.TAGS_EMPTY, tags=", ".join(tags)), kb.TAGS)
    else:
        data["tags"] = tags
        await after_target(v, data)


async def got_button(v: Visit, data: Draft, text: str) -> None:
    button = composing.parse_button(text)
    if button is None:
        await v.say(t.BUTTON_BAD, kb.BUTTON)
        return
    data["button"] = {"label": button.label, "url": button.url}
    await ask(v, data, "ack", t.ASK_ACK, kb.ACK)


async def got_when(v: Visit, data: Draft, text: str) -> None:
    try:
        at = composing.parse_moment(text, v.ctx.settings, v.ctx.clock.now())
    except DateParseError as exc:  # unreadable or in the past: ask again
        # its words are HTML already (bot.core.dates fills them, examples in <i>), as Telegram's
        await v.say(f"{exc}\n\n{t.ASK_WHEN}", kb.WHEN)
        return
    data["at"] = at.isoformat()
    await ask(v, data, "repeat", t.ASK_REPEAT, kb.REPEAT)


TYPED: Final = {"content": got_content, "tags": got_tags, "button": got_button, "when": got_when}


async def got_text(v: Visit, text: str) -> None:
    """A typed answer while the dialog is open (handlers.max.private routes it here)."""
    data = await draft(v) or {}
    typed = TYPED.get(str(data.get("step")))
    if not v.is_admin:  # no longer staff: the draft goes
        await v.clear_state()
        await v.say(texts.ADMIN_ONLY)
    elif means_cancel(text):  # «Отмена», «стоп» typed instead of pressing «Отмена»
        await v.clear_state()
        await v.say(t.DIALOG_CANCELLED)
    elif typed is None:  # a button is expected
        await v.say(t.REPROMPT_BUTTONS)
    else:
        await typed(v, data, text)


# --- the preview --------------------------------------------------------------------------------


def sample_content(v: Visit, data: Draft) -> Content:
    """The draft as MAX readers get it: its «Записаться» opens the card in the MAX bot."""
    return for_max(composing.draft_content(data), v.ctx.roster.deep_links.get("max"))


async def show_preview(v: Visit, data: Draft) -> None:
    """The message as a group will get it (its «Ознакомлен» records nothing), then the summary
    with «Отправить»; only the latest summary's buttons act."""
    await broadcast_file.show(v, sample_content(v, data))
    summary = await composing.summary(v.repo, data, v.ctx.settings.tz)
    now = composing.draft_at(data) is None
    shown = await ask(v, data, "preview", summary, kb.preview(now))
    data["summary"] = shown.message_id
    await keep(v, data)


async def confirm(v: Visit, data: Draft) -> None:
    """The author's progress message, edited by the worker as delivery goes, then the
    broadcast (bot.services.staff.composing, as Telegram's dialog confirms)."""
    await v.clear_state()  # before writing: a second tap finds nothing to confirm
    await v.drop_buttons()
    now, tz = v.ctx.clock.now(), v.ctx.settings.tz
    try:
        broadcast = await composing.create_with_progress(
            v.repo, v.ctx.messenger, data, v.uid, now, tz
        )
    except service.BroadcastError as exc:
        await keep(v, data)  # the draft stays at the preview for another try
        immediate = not data.get("at")
        label = t.BTN_CONFIRM_NOW if immediate else t.BTN_CONFIRM_AT
        failed = fill(t.CREATE_FAILED, error=str(exc), confirm=label)
        shown = await ask(v, data, "preview", failed, kb.preview(immediate))
        data["summary"] = shown.message_id  # its buttons are the latest summary's now
        await keep(v, data)
        return
    await v.say(composing.created_text(broadcast.id, data, tz))
    if not data.get("at") and v.ctx.wake is not None:
        v.ctx.wake()  # «Сейчас» means now, not at the worker's next poll


# --- presses ------------------------------------------------------------------------------------


async def step_pressed(v: Visit, data: Draft, step: str, value: str) -> None:
    """A press the draft is waiting for (its step checked by `pressed`)."""
    if step == "aud":
        data["audiences"] = composing.toggled(list(data.get("audiences", [])), value)
        await keep(v, data)
        await v.replace(*await audience_view(v, data))
    elif step == "aud_done":
        await audiences_done(v, data)
    elif step == "test":
        await updates.answer(v.ctx, v.update, t.TEST_SENT)
        await broadcast_file.show(v, sample_content(v, data))
    elif step == "confirm":
        await confirm(v, data)
    else:
        await v.drop_buttons()  # a one-shot question: its answer is given
        await answered(v, data, step, value)


async def audiences_done(v: Visit, data: Draft) -> None:
    if not data.get("audiences"):
        await updates.answer(v.ctx, v.update, t.AUDIENCE_NONE_PICKED)
        return
    data["tags"] = []
    count = await composing.recipients_count(v.repo, data)
    if count == 0:  # told now, not after everything else is set
        await updates.answer(v.ctx, v.update, t.AUDIENCE_EMPTY)
        return
    await v.drop_buttons()
    text = fill(t.ASK_TAGS, audiences=composing.audiences_text(data), count=count)
    await ask(v, data, "tags", text, kb.TAGS)


async def answered(v: Visit, data: Draft, step: str, value: str) -> None:
    if step == "back_aud":
        await ask_audience(v, data)
    elif step == "tags":
        data["tags"] = []
        await after_target(v, data)
    elif step == "btn" and value == "event":
        items = await composing.event_choices(v.repo, v.ctx.clock.now(), v.ctx.settings.tz)
        await v.say(t.ASK_EVENT if items else t.NO_EVENTS, kb.events(items))
    elif step == "btn":
        data["button"] = None
        await ask(v, data, "ack", t.ASK_ACK, kb.ACK)
    elif step == "event":
        link = event_link(v, int(value)) if value.isdigit() else None
        event = await v.repo.events.get(int(value)) if link else None
        if event is None or link is None:
            await v.say(t.EVENT_GONE, kb.BUTTON)
            return
        data["button"] = composing.event_button(link)
        await ask(v, data, "ack", t.ASK_ACK, kb.ACK)
    elif step == "ack":
        data["ack"] = value == "1"
        await ask(v, data, "when", t.ASK_WHEN, kb.WHEN)
    elif step in ("now", "change_when"):
        if step == "now":
            data["at"] = None
            await ask(v, data, "repeat", t.ASK_REPEAT, kb.REPEAT)
        else:
            await ask(v, data, "when", t.ASK_WHEN, kb.WHEN)
    else:  # repeat
        data["repeat"] = "weekly" if value == "weekly" else ""
        await show_preview(v, data)


async def pressed(v: Visit, step: str, value: str) -> None:
    """`bcc:<step>:<value>`: to the draft open now, if the press is its latest question's."""
    data = await draft(v)
    seq = updates.seq(v.update)
    if data is None:
        await updates.answer(v.ctx, v.update, t.DIALOG_STALE)
    elif isinstance(data.get(SINCE), int) and seq < data[SINCE]:
        await updates.answer(v.ctx, v.update, t.DRAFT_STALE)
    elif step == "cancel":
        await v.drop_buttons()
        await v.clear_state()
        await v.say(t.DIALOG_CANCELLED)
    elif kb.STEP_OF.get(step) != data.get("step") or (
        step in kb.PREVIEW_STEPS and seq != data.get("summary")
    ):
        await updates.answer(v.ctx, v.update, events_texts.STEP_PASSED)
    else:
        await step_pressed(v, data, step, value)


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    """`bcc:…` answers, «📣 Анонсировать» (`eva:announce:<id>`) and «✏️ Новая рассылка»."""
    prefix, _, rest = updates.payload(update).partition(":")
    step, _, value = rest.partition(":")
    if not (prefix == kb.PREFIX or (prefix == "eva" and step == "announce")):
        return False

    async def act(v: Visit) -> None:
        if prefix == "eva":
            await announce(v, updates.number(value))
        elif step == "new":
            await updates.answer(ctx, update)
            await begin(v)
        else:
            await pressed(v, step, value)

    return await as_staff(ctx, update, act)


async def not_text(ctx: MaxContext, update: JsonDict) -> bool:
    """A photo or file sent while the draft waits: the content when asked for it (the
    message's words its caption), else the buttons are asked for."""
    body = updates.message(update).get("body") or {}
    if not updates.is_dialog(update) or not body.get("attachments"):
        return False
    async with visit(ctx, update) as v:
        if v is None or v.state != STATE:
            return False
        data = await draft(v) or {}
        found = pictures.attachments(update)  # an album: every photo and file of it
        if not v.is_admin:  # no longer staff: the draft goes
            await v.clear_state()
            await v.say(texts.ADMIN_ONLY)
        elif data.get("step") != "content":
            await v.say(t.REPROMPT_BUTTONS, kb.CANCEL_ONLY)
        elif not found:  # a sticker, a contact
            await v.say(max_texts.BROADCAST_TEXT_ONLY, kb.CANCEL_ONLY)
        elif await broadcast_file.got_file(v, data, found, typed_html(update)):
            await ask_audience(v, data)
    return True


def register(routes: Routes) -> None:
    """Typed answers reach `got_text` and files `not_text` through handlers.max.private;
    this comes before handlers.max.event_form, which takes every other `eva:` press."""
    routes.add("message_callback", callbacks)
