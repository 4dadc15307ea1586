"""МОЦ staff change an event in MAX from its card: «Изменить» (one field at a time), «Закрыть
запись», «Отменить мероприятие» — as handlers/events_admin/edit.py and status.py do in
Telegram, over the same services (bot.services.events.editing, steps) and payloads
(`eva:edit:7`, `eve:7:starts`, `eva:cancel_yes:7`).

A new time or place and a cancellation queue their notice to everyone registered or waiting
in the same transaction (bot.services.events.changes); the broadcast worker delivers it, in
Telegram or MAX, and reports to the staff member. The field being changed waits in the
dialog's row in the database (state `eve`), so a restart in between loses nothing. The role is
checked on every press and message: a forged payload from anyone else is refused.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot import texts
from bot.core.markup import fill
from bot.core.messages import Deferred, Unreachable
from bot.core.words import means_cancel
from bot.services.events import changes, editing, form, steps
from bot.services.events.registration import notify_promoted
from bot.services.events.setters import SETTERS
from bot.texts import events_admin as t
from bot.texts import max as max_texts
from handlers.max import events, staff_events, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff
from storage.models import Event

log = logging.getLogger(__name__)
STATE = "eve"
CONFIRM = "confirm"  # new dates that drop meetings, kept to be sent again as the «yes»
ACTIONS = frozenset({"edit", "close", "reopen", "cancel", "cancel_yes"})


async def show_card(v: Visit, event: Event, head: str = "") -> None:
    text, buttons = await events.card(v, event)
    await v.say(f"{head}\n\n{text}" if head else text, buttons)


def wake(v: Visit) -> None:
    """After the author is told: the delivery report must not come before it."""
    if v.ctx.wake is not None:
        v.ctx.wake()


async def menu(v: Visit, event: Event) -> None:
    if not editing.editable(event):
        await updates.answer(v.ctx, v.update, t.EDIT_CANCELLED_EVENT)
        return
    await updates.answer(v.ctx, v.update)
    await v.say(fill(t.EDIT_PICK, title=event.title), steps.edit_fields(event.id))


async def pick(v: Visit, event: Event, field: str) -> None:
    if not editing.editable(event):
        await updates.answer(v.ctx, v.update, t.EDIT_CANCELLED_EVENT)
        return
    if field not in t.FIELD_LABELS:
        await updates.answer(v.ctx, v.update, t.STEP_PASSED)
        return
    await updates.answer(v.ctx, v.update)
    before = await v.held_dict() if v.state == STATE else {}
    data: dict[str, Any] = {"event_id": event.id, "field": field}
    await v.hold(STATE, json.dumps(data))
    text, buttons = steps.edit_question(event, field, v.ctx.settings)
    sent = await v.say(text, steps.with_drop(buttons))
    if sent.message_id:  # older answer buttons are not this edit's
        asked = steps.edit_asked(before, event.id, field, sent.message_id)
        await v.hold(STATE, json.dumps({**data, steps.ASKED: asked}))


async def apply(v: Visit, answer: str) -> None:
    """The answer as the new value; a wrong one is explained and the field asked again."""
    data = await v.held_dict()
    field = str(data.get("field", ""))
    raw_id = data.get("event_id")
    event = await v.repo.events.get(raw_id) if isinstance(raw_id, int) else None
    if not editing.editable(event) or field not in SETTERS:
        await v.clear_state()
        await v.say(t.EVENT_MISSING if event is None else t.EDIT_CANCELLED_EVENT)
        return
    assert event is not None
    settings, now = v.ctx.settings, v.ctx.clock.now()
    again = steps.with_drop(steps.edit_question(event, field, settings)[1])  # before a rollback
    try:
        saved = await editing.save_field(
            v.repo, settings, v.uid, now, event, field, answer,
            confirmed=str(data.get(CONFIRM, "")),
        )  # fmt: skip
    except form.FormError as exc:
        if isinstance(exc, form.FewerMeetings):  # the same answer again means «yes»
            await v.hold_dict(STATE, {**data, CONFIRM: answer.strip()})
        await v.say(str(exc), again)
        return
    await v.clear_state()
    for registration in saved.promoted:  # whichever messenger the next in line is in
        try:
            await notify_promoted(v.ctx.messenger, registration, event, settings, now)
        except (Unreachable, Deferred) as exc:
            log.info("promotion notice not delivered: %s", exc)
    await show_card(v, event, fill(t.EDIT_SAVED, field=t.FIELD_LABELS[field]))
    if saved.notices:
        await v.say(fill(t.EDIT_NOTIFIED, ids=changes.notice_ids(saved.notices)))
        wake(v)


async def got_text(v: Visit, text: str) -> None:
    """A typed value while a field is being changed (handlers.max.private routes it here)."""
    if not v.is_admin:
        await v.clear_state()
        await v.say(texts.ADMIN_ONLY)
    elif means_cancel(text):  # «Отмена», «стоп», «выйти» typed instead of pressing «Отмена»
        await v.clear_state()
        await v.say(max_texts.EDIT_DROPPED)
    else:
        await apply(v, text)


async def pressed(v: Visit, field: str, value: str) -> None:
    """A button answer (`evn:<field>:<value>`, handlers.max.event_form hands it here); one
    under an older message than this edit's question is not this edit's."""
    data = await v.held_dict()
    if steps.pressed_before(data, steps.ASKED, updates.seq(v.update)):
        await updates.answer(v.ctx, v.update, t.STEP_PASSED)
    elif field == "drop":
        await updates.answer(v.ctx, v.update)
        await v.clear_state()
        await v.say(max_texts.EDIT_DROPPED)
    elif data.get("field") != field:
        await updates.answer(v.ctx, v.update, t.STEP_PASSED)
    else:
        await updates.answer(v.ctx, v.update)
        await apply(v, value)


async def close(v: Visit, event: Event) -> None:
    if not await editing.close(v.repo, event, v.ctx.clock.now()):
        await updates.answer(v.ctx, v.update, t.CLOSE_NOT_OPEN)
        return
    await updates.answer(v.ctx, v.update, editing.status_toast(t.CLOSED_OK, event))
    await show_card(v, event)


async def reopen(v: Visit, event: Event) -> None:
    now = v.ctx.clock.now()
    if not await editing.reopen(v.repo, event, now):
        refusal = editing.reopen_refusal(event, now) or t.REOPEN_NOT_CLOSED
        await updates.answer(v.ctx, v.update, refusal)
        return
    await updates.answer(v.ctx, v.update, editing.status_toast(t.REOPENED_OK, event))
    await show_card(v, event)


async def cancel_ask(v: Visit, event: Event) -> None:
    if refusal := editing.cancel_refusal(event, v.ctx.clock.now()):
        await updates.answer(v.ctx, v.update, refusal)
        return
    registered, waiting = await changes.audience(v.repo, event.id)
    await updates.answer(v.ctx, v.update)
    text = fill(
        t.CANCEL_CONFIRM, title=event.title, when=changes.schedule(event, v.ctx.settings),
        count=len(registered) + len(waiting),
    )  # fmt: skip
    await v.say(text, steps.cancel_confirm(event.id))


async def cancel_yes(v: Visit, event: Event) -> None:
    now = v.ctx.clock.now()
    if refusal := editing.cancel_refusal(event, now):
        await updates.answer(v.ctx, v.update, refusal)
        return
    ids = await editing.cancel(v.repo, v.ctx.settings, v.uid, now, event)
    if ids is None:
        await updates.answer(v.ctx, v.update, t.ALREADY_CANCELLED)
        return
    await updates.answer(v.ctx, v.update)
    done = fill(t.CANCELLED_OK, title=event.title)
    queued = fill(t.NOTICES_QUEUED, ids=changes.notice_ids(ids)) if ids else ""
    await show_card(v, event, done + queued)
    wake(v)


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    """`eva:edit|close|reopen|cancel|cancel_yes:<id>` and `eve:<id>:<field>`."""
    prefix, _, rest = updates.payload(update).partition(":")
    first, _, second = rest.partition(":")
    if not ((prefix == "eva" and first in ACTIONS) or prefix == "eve"):
        return False

    async def act(v: Visit) -> None:
        raw_id = first if prefix == "eve" else second
        event = await staff_events.event_or_alert(v, updates.number(raw_id))
        if event is None:
            return
        if prefix == "eve":
            await pick(v, event, second)
        elif first == "edit":
            await menu(v, event)
        elif first == "close":
            await close(v, event)
        elif first == "reopen":
            await reopen(v, event)
        elif first == "cancel":
            await cancel_ask(v, event)
        else:
            await cancel_yes(v, event)

    return await as_staff(ctx, update, act)


def register(routes: Routes) -> None:
    routes.add("message_callback", callbacks)
