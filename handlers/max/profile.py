"""The teacher's profile and the 152-ФЗ consent in MAX, asked at the first registration:
consent → ФИО → organisation → position → contact (typed or shared by MAX's button) →
mailing, as handlers/profile.py asks it.

No question comes before the consent, so no name or phone is kept without it. The answers
then wait in the dialog's database row (step `pf:`, the answers as JSON), and the profile is
written at the end, when the pending registration completes. Buttons are packed
like Telegram's ProfileCb (`pf:org:2`, `pf:consent:1`).
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.markup import clip, fill, fill_region
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.chats import registry
from bot.services.events.registration import become_teacher, register_and_confirm
from bot.services.profile import entry, teachers
from bot.services.profile.contacts import normalize_contact, normalize_phone
from bot.services.profile.teachers import NAME_LIMIT, ORG_LIMIT, POSITION_LIMIT
from bot.texts import events as t
from bot.texts import max as max_texts
from handlers.max import event_doors, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, visit
from handlers.max.render import ROWS_LIMIT
from storage.models import Event

PREFIX = "pf:"
ORG_BUTTONS = ROWS_LIMIT - 1  # one organisation per row, and «Другая» under them


async def answers(v: Visit) -> dict[str, Any]:
    """The dialog's answers so far ({} outside the dialog or for a broken state)."""
    if not v.state.startswith(PREFIX):
        return {}
    raw = v.state.removeprefix(PREFIX) or await v.held()  # rows of old versions: in the step
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def keep(v: Visit, data: dict[str, Any]) -> None:
    """The answers go in the row's data: the step column holds 255 characters, and up to 30
    organisation names do not fit (PostgreSQL refuses what SQLite lets through)."""
    await v.hold(PREFIX, json.dumps(data, ensure_ascii=False))


def choices(field: str, labels: list[str], other: str | None = None) -> Keyboard:
    buttons = [Button(clip(label, 60), pack("pf", field, i)) for i, label in enumerate(labels)]
    if other is not None:
        buttons.append(Button(other, pack("pf", field, -1)))
    return rows(*buttons)


def yes_no(field: str, yes: str, no: str) -> Keyboard:
    return rows(Button(yes, pack("pf", field, 1)), Button(no, pack("pf", field, 0)))


async def start(v: Visit, pending_event: Event | None) -> None:
    """Answers the press too: with a notice when the form was already open (a double tap, a
    second card: bot.services.profile.entry)."""
    now = v.ctx.clock.now()
    again = entry.reentry(await answers(v), pending_event, now)
    if again is not None:
        await keep(v, again.form)
        await updates.answer(v.ctx, v.update, again.note)
        return
    await updates.answer(v.ctx, v.update)
    names = [o.name for o in await v.repo.profiles.organisations()][:ORG_BUTTONS]
    event_id = pending_event.id if pending_event else None
    await keep(v, {"step": "consent", **entry.opening(event_id, names, now)})
    await v.say(
        teachers.consent_text(v.ctx.settings),
        yes_no("consent", t.BTN_CONSENT_YES, t.BTN_CONSENT_NO),
    )


async def got_text(v: Visit, text: str) -> None:
    """A typed answer to the current step; a bad one gets the step's question again."""
    data = await answers(v)
    step, value = data.get("step"), " ".join(text.split())
    if step == "name":
        if not teachers.valid_name(value):
            await v.say(fill(t.PROFILE_NAME_BAD, limit=NAME_LIMIT))
            return
        await keep(v, {**data, "full_name": value, "step": "org"})
        orgs: list[str] = data.get("orgs", [])
        if orgs:
            await v.say(t.PROFILE_ORG, choices("org", orgs, t.BTN_ORG_OTHER))
        else:
            await v.say(t.PROFILE_ORG_TYPE)
    elif step == "org":
        if not 3 <= len(value) <= ORG_LIMIT:
            await v.say(fill(t.PROFILE_ORG_BAD, limit=ORG_LIMIT))
            return
        await to_position(v, data, value)
    elif step == "pos":
        if not 3 <= len(value) <= POSITION_LIMIT:
            await v.say(fill(t.PROFILE_POSITION_BAD, limit=POSITION_LIMIT))
            return
        await to_contact(v, data, value)
    elif step == "contact":
        contact = normalize_contact(value)
        if contact is None:
            await ask_contact(v, t.PROFILE_CONTACT_BAD)
            return
        await keep(v, {**data, "contact": contact, "step": "mail"})
        await v.say(fill(t.PROFILE_CONTACT_TAKEN, c=contact))
        await v.say(t.MAILING, yes_no("mail", t.BTN_MAIL_YES, t.BTN_MAIL_NO))
    elif step == "consent":  # typed, not pressed: not kept, the question again
        await v.say(t.CONSENT_PRESS)
    else:
        await v.say(max_texts.PROFILE_PRESS)


async def to_position(v: Visit, data: dict[str, Any], org: str) -> None:
    await keep(v, {**data, "organisation": org, "step": "pos"})
    await v.say(t.PROFILE_POSITION, choices("pos", list(t.POSITIONS)))


async def to_contact(v: Visit, data: dict[str, Any], position: str) -> None:
    await keep(v, {**data, "position": position, "step": "contact"})
    await ask_contact(v, max_texts.PROFILE_CONTACT)


async def ask_contact(v: Visit, text: str) -> None:
    """The question with «share my number» (MAX's request_contact button), paced like any
    other message to the person."""
    await v.say(text, rows(Button.contact(t.BTN_SHARE_PHONE)))


def shared_phone(update: JsonDict) -> str | None:
    """The number from a `contact` attachment, if it is the sender's own."""
    for attachment in updates.message(update).get("body", {}).get("attachments") or []:
        if attachment.get("type") != "contact":
            continue
        payload = attachment.get("payload") or {}
        owner = (payload.get("max_info") or {}).get("user_id")
        if owner not in (None, updates.user_id(update)):
            return None
        for line in str(payload.get("vcf_info") or "").splitlines():
            if line.upper().startswith("TEL"):
                return normalize_phone(line.partition(":")[2])
    return None


async def contact_shared(ctx: MaxContext, update: JsonDict) -> bool:
    """A contact sent by the button (or attached) while the dialog waits for it."""
    if not updates.is_dialog(update) or updates.text(update):
        return False
    attachments = updates.message(update).get("body", {}).get("attachments") or []
    if not any(a.get("type") == "contact" for a in attachments):
        return False
    async with visit(ctx, update) as v:
        if v is None or (await answers(v)).get("step") != "contact":
            return False
        phone = shared_phone(update)
        if phone is None:
            await ask_contact(v, t.PROFILE_CONTACT_BAD)
            return True
        await got_text(v, phone)
    return True


async def pressed(v: Visit, field: str, value: int) -> None:
    data = await answers(v)
    step = data.get("step")
    if field != step:
        # a second tap on an answered step: a notice pointing at the question still open (as
        # Telegram's); a finished dialog's button is stale. «Анкета устарела» in the chat
        # would send the teacher back to the start
        await updates.answer(v.ctx, v.update, t.FORM_OPEN if step else max_texts.STALE_BUTTON)
        return
    await updates.answer(v.ctx, v.update)
    if field == "org" and step == "org":
        orgs: list[str] = data.get("orgs", [])
        if 0 <= value < len(orgs):
            await to_position(v, data, orgs[value])
        else:
            await v.say(t.PROFILE_ORG_TYPE)
    elif field == "pos" and step == "pos" and 0 <= value < len(t.POSITIONS):
        await to_contact(v, data, t.POSITIONS[value])
    elif field == "consent" and step == "consent":
        if value != 1:
            await v.clear_state()
            refused = fill_region(t.CONSENT_REFUSED, phone=v.ctx.settings.moc_phone)
            if await v.repo.profiles.get(v.uid) is not None:
                refused = t.CONSENT_REFUSED_EDIT  # «Изменить профиль»: the old one stays
            await v.say(refused)
            return
        await keep(v, {**data, **await teachers.agree(v.repo, v.uid), "step": "name"})
        await v.repo.commit()  # the proof before the first answer
        await v.say(t.PROFILE_START)
    elif field == "mail" and step == "mail":
        await finish(v, data, mailing=value == 1)
    else:
        await v.say(t.PROFILE_DIALOG_STALE)


async def finish(v: Visit, data: dict[str, Any], *, mailing: bool) -> None:
    await v.clear_state()  # first: a double tap finds no dialog and saves nothing twice
    if not teachers.complete(data):
        await v.say(t.PROFILE_DIALOG_STALE)
        return
    new_teacher = await become_teacher(v.repo, v.user)
    await teachers.save(v.repo, v.user, data, mailing)
    await v.repo.commit()
    news = await registry.news_on_registering(v.repo, v.uid) if new_teacher else ""
    await v.say(t.PROFILE_SAVED + news, event_doors.menu_buttons(v.user.role, v.is_admin))
    event_id = data.get("pending_event")
    event = await v.repo.events.get(int(event_id)) if event_id else None
    if event is not None:
        ctx = v.ctx
        await register_and_confirm(
            ctx.messenger, v.uid, event, v.repo, ctx.settings, ctx.clock.now()
        )


async def show(v: Visit) -> None:
    """/profile: what is kept, and «Изменить» — the whole dialog again, the consent with it."""
    kept = await v.repo.profiles.get(v.uid)
    if kept is None:
        await v.say(t.PROFILE_NONE)
        return
    text = fill(
        t.PROFILE_SHOW,
        name=kept.full_name,
        organisation=kept.organisation,
        position=kept.position,
        contact=kept.contact,
        mailing="да" if kept.mailing_consent else "нет",
    )
    await v.say(text, rows(Button(t.BTN_PROFILE_EDIT, pack("pf", "edit", 0))))


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix != "pf":
        return False
    field, _, raw = rest.partition(":")
    async with visit(ctx, update) as v:
        if v is None:
            return False
        number = raw.removeprefix("-")
        magnitude = updates.number(number) if len(number) < 6 else None
        value = 0 if magnitude is None else -magnitude if raw.startswith("-") else magnitude
        if field == "edit":  # = ProfileCb(field="edit")
            await start(v, pending_event=None)
        else:
            await pressed(v, field, value)
    return True


def register(routes: Routes) -> None:
    """Typed answers are read by handlers.max.private's free-text handler (`got_text`)."""
    routes.add("message_created", contact_shared)
    routes.add("message_callback", callbacks)
