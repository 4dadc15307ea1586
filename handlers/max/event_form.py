"""МОЦ staff create an event in MAX: /new_event or «➕ Новое мероприятие» under the list, then
the questions of Telegram's dialog one by one, a preview and «Опубликовать».

The questions, checks, preview and texts are Telegram's (bot.services.events.steps and form):
a wrong answer is explained and asked again. The draft waits in the dialog's row in the
database (state `evn`, the answers as JSON beside it), so a restart mid-way resumes it. Every
question carries «Отмена»; typing «Отмена» or /cancel ends the dialog too. The role is checked
on every message and press: `evn:…` or `eva:new` forged by anyone else is refused.

Button answers (`evn:<field>:<value>`) are shared with the edit dialog
(handlers.max.event_edit), so a press goes there while a field is being changed.
«Опубликовать» clears the draft before writing, and one person's updates are handled one at a
time (handlers.max.dispatch): a double tap creates one event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot import texts
from bot.core.markup import fill
from bot.core.words import means_cancel
from bot.services.events import form, steps
from bot.texts import events_admin as t
from bot.texts import max as max_texts
from handlers.max import event_edit, events, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff

STATE = "evn"


async def draft(v: Visit) -> dict[str, Any] | None:
    """The answers so far; None outside the dialog ({} for a broken row: start over)."""
    return await v.held_dict() if v.state == STATE else None


async def keep(v: Visit, data: dict[str, Any]) -> None:
    await v.hold_dict(STATE, data)


async def ask(v: Visit, data: dict[str, Any]) -> None:
    """Keep the draft and ask the first question not answered, or show the preview."""
    settings = v.ctx.settings
    step = form.next_step(data)
    if step is None:
        try:
            preview = steps.preview(data, settings)
        except form.FormError as exc:  # the card would be too long: the description again
            data.pop("description", None)
            await v.say(str(exc))
            await ask(v, data)
            return
        await keep(v, data)
        await v.say(preview, steps.preview_buttons())
        return
    await keep(v, data)
    text, buttons = steps.prompt(step, data, settings)
    await v.say(text, steps.with_drop(buttons))


async def begin(v: Visit) -> None:
    """/new_event and «➕ Новое мероприятие»: a fresh draft, for staff only. Its first
    question's number is kept: buttons under older messages are a dropped draft's."""
    if not v.is_admin:
        await v.say(texts.ADMIN_ONLY)
        return
    text, buttons = steps.prompt(form.STEPS[0], {}, v.ctx.settings)
    await keep(v, {})
    asked = await v.say(text, steps.with_drop(buttons))
    if asked.message_id:
        await keep(v, {steps.SINCE: asked.message_id})


async def take(v: Visit, step: str, data: dict[str, Any], answer: str) -> None:
    settings = v.ctx.settings
    try:
        data[step] = steps.accept(step, answer, steps.context(data, settings, v.ctx.clock.now()))
    except form.FormError as exc:
        await v.say(str(exc), steps.with_drop(steps.prompt(step, data, settings)[1]))
        return
    await ask(v, data)


async def got_text(v: Visit, text: str) -> None:
    """A typed answer while the dialog is open (handlers.max.private routes it here)."""
    data = await draft(v) or {}
    if not v.is_admin:  # no longer staff: the draft goes
        await v.clear_state()
        await v.say(texts.ADMIN_ONLY)
    elif means_cancel(text):  # «Отмена», «стоп», «выйти» typed instead of pressing «Отмена»
        await v.clear_state()
        await v.say(t.DRAFT_DISCARDED)
    elif (step := form.next_step(data)) is None:
        await v.say(t.PREVIEW_HINT, steps.preview_buttons())
    else:
        await take(v, step, data, text)


async def publish(v: Visit) -> None:
    data = await draft(v)
    if data is None or not data or form.next_step(data) is not None:
        await updates.answer(v.ctx, v.update, t.ALREADY_DONE)
        return
    await v.clear_state()  # before writing: a second tap finds nothing to publish
    await updates.answer(v.ctx, v.update)
    stale = form.stale_parts(data, v.ctx.clock.now())
    if stale:
        await v.say(t.STARTS_NOW_PAST)
        await ask(v, {key: value for key, value in data.items() if key not in stale})
        return
    event, starts = form.draft_event(data, v.uid)
    try:
        await v.repo.events.add(event, starts)
        await v.repo.commit()
    except SQLAlchemyError:
        await v.repo.rollback()
        await keep(v, data)  # the draft stays for another try
        raise
    text, buttons = await events.card(v, event)
    await v.say(fill(t.PUBLISHED, id=event.id) + "\n\n" + text, buttons)


async def pressed(v: Visit, field: str, value: str) -> None:
    """A button answer `evn:<field>:<value>`: to this dialog or to the edit dialog."""
    if v.state == event_edit.STATE:
        await event_edit.pressed(v, field, value)
        return
    data = await draft(v)
    if data is not None and steps.pressed_before(data, steps.SINCE, updates.seq(v.update)):
        await updates.answer(v.ctx, v.update, t.ALREADY_DONE)  # a dropped draft's button
    elif field == "publish":
        await publish(v)
    elif field == "drop":
        await updates.answer(v.ctx, v.update, None if data is not None else t.ALREADY_DONE)
        if data is not None:
            await v.clear_state()
            await v.say(t.DRAFT_DISCARDED)
    elif data is None or form.next_step(data) != field:
        await updates.answer(v.ctx, v.update, t.STEP_PASSED)
    else:
        await updates.answer(v.ctx, v.update)
        await take(v, field, data, value)


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    """`evn:…` answers and `eva:new`; any other staff card payload left over is stale."""
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix not in ("evn", "eva"):
        return False
    first, _, second = rest.partition(":")

    async def act(v: Visit) -> None:
        if prefix == "evn":
            await pressed(v, first, second)
        elif first == "new":
            await updates.answer(ctx, update)
            await begin(v)
        else:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)

    return await as_staff(ctx, update, act)


def register(routes: Routes) -> None:
    """Typed answers reach `got_text` through handlers.max.private's free-text handler."""
    routes.add("message_callback", callbacks)
