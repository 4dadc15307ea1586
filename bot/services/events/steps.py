"""The staff event dialogs as every messenger asks them: each step's question and its buttons,
reading a typed or pressed answer, the preview, and the question of the edit dialog.

The checks are bot.services.events.form's; this module only says which check and which text
go with which step, so Telegram's dialog (handlers/events_admin) and MAX's (handlers/max) ask
the same questions and accept the same answers. Buttons are neutral and packed like Telegram's
FormCb / EditCb / AdminEventCb (`evn:duration:90`, `eve:7:title`, `eva:cancel_yes:7`), so a
button answer goes through the same check as the typed words it stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.config import Settings
from bot.core.dates import format_local
from bot.core.markup import fill
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.events import form
from bot.services.events.cards import card
from bot.texts import events_admin as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import Event, EventFormat

DURATIONS = (60, 90, 120, 180)
Question = tuple[str, Keyboard | None]


def answer(field: str, value: str = "") -> str:
    """A button answer's payload (= FormCb(field=…, value=…).pack())."""
    return pack("evn", field, value)


def kinds() -> Keyboard:
    return rows(*(Button(label, answer("kind", kind)) for kind, label in KIND_LABELS.items()))


def durations() -> Keyboard:
    label = t.BTN_MINUTES.format
    minutes = [Button(label(minutes=m), answer("duration", str(m))) for m in DURATIONS]
    return rows(*minutes, per_row=(4,))


def formats() -> Keyboard:
    labels = FORMAT_LABELS.items()
    return rows(*(Button(label, answer("format", value)) for value, label in labels), per_row=(2,))


def no_deadline() -> Keyboard:
    return rows(Button(t.BTN_NO_DEADLINE, answer("deadline", "нет")))


def skip_description(label: str = t.BTN_SKIP) -> Keyboard:
    return rows(Button(label, answer("description", "-")))


def preview_buttons() -> Keyboard:
    return rows(
        Button(t.BTN_PUBLISH, answer("publish")), Button(t.BTN_DISCARD, answer("drop")),
        per_row=(2,),
    )  # fmt: skip


def with_drop(buttons: Keyboard | None) -> Keyboard:
    """The question's buttons and «Отмена» under them (MAX has no /cancel in a menu)."""
    return (*(buttons or ()), (Button(t.BTN_DISCARD, answer("drop")),))


def edit_fields(event_id: int) -> Keyboard:
    fields = [Button(label, pack("eve", event_id, f)) for f, label in t.FIELD_LABELS.items()]
    return rows(*fields, Button(t.BTN_TO_CARD, pack("ev", "card", event_id)), per_row=(2,))


def cancel_confirm(event_id: int) -> Keyboard:
    return rows(
        Button(t.BTN_CANCEL_EVENT_YES, pack("eva", "cancel_yes", event_id)),
        Button(t.BTN_CANCEL_EVENT_NO, pack("ev", "card", event_id)),
    )


# --- the new-event dialog ---------------------------------------------------------------------


def prompt(step: str, data: dict[str, Any], settings: Settings) -> Question:
    """The question of `step` ("preview": the hint under the preview)."""
    first = format_local(form.load(data["starts"]), settings.tz) if "starts" in data else ""
    online = data.get("format") == EventFormat.ONLINE
    prompts: dict[str, Question] = {
        "title": (fill(t.ASK_TITLE, limit=form.TITLE_LIMIT), None),
        "kind": (t.ASK_KIND, kinds()),
        "starts": (fill(t.ASK_STARTS, zone=settings.timezone), None),
        "sessions": (fill(t.ASK_SESSIONS, first=first),
                     rows(Button(t.BTN_ONE_SESSION, answer("sessions", "одно")))),
        "duration": (t.ASK_DURATION, durations()),
        "format": (t.ASK_FORMAT, formats()),
        "place": (t.ASK_PLACE_ONLINE if online else t.ASK_PLACE_OFFLINE, None),
        "capacity": (t.ASK_CAPACITY, None),
        "deadline": (fill(t.ASK_DEADLINE, start=first), no_deadline()),
        "description": (fill(t.ASK_DESCRIPTION, limit=form.DESCRIPTION_LIMIT),
                        skip_description()),
        "preview": (t.PREVIEW_HINT, preview_buttons()),
    }  # fmt: skip
    return prompts[step]


def context(data: dict[str, Any], settings: Settings, now: datetime) -> form.FormContext:
    """What the checks of the next answer depend on: the first start and the format so far."""
    first = form.load(data["starts"]) if "starts" in data else None
    fmt = data.get("format", EventFormat.OFFLINE)
    return form.FormContext(settings.tz, now, fmt=fmt, start=first)


def accept(step: str, text: str, ctx: form.FormContext) -> Any:
    """The JSON-friendly value of one answer; FormError when it does not do."""
    if step == "starts":
        return form.dump(form.start(text, ctx))
    if step == "sessions":
        return [form.dump(m) for m in form.later_sessions(text, ctx)]
    if step == "deadline":
        moment = form.deadline(text, ctx)
        return form.dump(moment) if moment else None
    if step == "kind":
        return form.kind(text)
    if step == "format":
        return form.event_format(text)
    parse: dict[str, Callable[[str, form.FormContext], Any]] = {
        "title": form.title, "duration": form.duration, "place": form.place,
        "capacity": form.capacity, "description": form.description,
    }  # fmt: skip
    return parse[step](text, ctx)


def preview(data: dict[str, Any], settings: Settings) -> str:
    """The card as teachers will see it, framed; FormError when it would be too long."""
    event, _ = form.draft_event(data, None)
    form.check_card_length(event, settings.tz)
    online = event.format == EventFormat.ONLINE
    extra = fill(t.PREVIEW_LINK, link=event.place) if online else ""
    return t.PREVIEW.format(card=card(event, settings.tz), extra=extra)


# --- editing one field ------------------------------------------------------------------------


def current(event: Event, field: str, settings: Settings) -> str:
    """The field's value now, as the edit question shows it."""
    deadline = event.registration_deadline
    values = {
        "title": event.title, "duration": f"{event.duration_min} мин", "place": event.place,
        "capacity": f"{event.capacity} (занято {event.taken})", "description": event.description,
        "deadline": format_local(deadline, settings.tz) if deadline else t.BTN_NO_DEADLINE,
    }  # fmt: skip
    return values.get(field) or "—"


def edit_question(event: Event, field: str, settings: Settings) -> Question:
    tz = settings.tz
    if field == "starts":
        now_at = ", ".join(format_local(s.starts_at, tz) for s in event.sessions)
        return fill(t.EDIT_ASK_STARTS, zone=settings.timezone, current=now_at), None
    online = event.format == EventFormat.ONLINE
    asks: dict[str, Question] = {
        "title": (fill(t.EDIT_ASK_TITLE, limit=form.TITLE_LIMIT), None),
        "duration": (t.ASK_DURATION, durations()),
        "place": (t.ASK_PLACE_ONLINE if online else t.ASK_PLACE_OFFLINE, None),
        "capacity": (t.ASK_CAPACITY, None),
        "deadline": (fill(t.ASK_DEADLINE, start=format_local(event.starts_at, tz)),
                     no_deadline()),
        "description": (fill(t.ASK_DESCRIPTION, limit=form.DESCRIPTION_LIMIT),
                        skip_description(t.BTN_NO_DESCRIPTION)),
    }  # fmt: skip
    text, buttons = asks[field]
    return text + fill(t.EDIT_ASK_CURRENT, value=current(event, field, settings)), buttons


# --- buttons left under older messages -------------------------------------------------------

ASKED = "asked"  # the edit dialog: the number of the field's question in the chat
SINCE = "since"  # the new-event dialog: the number of the draft's first question


def pressed_before(data: dict[str, Any], mark: str, pressed_message: int) -> bool:
    """The pressed message is older than the dialog open now (message numbers grow in a
    chat). Answer buttons do not name their dialog (`evn:duration:90`, «Опубликовать»,
    «Отмена»), so one left under an earlier edit's question or a dropped draft's preview
    would otherwise change, publish or end the one open now. A dialog begun before its mark
    was kept is trusted as before."""
    kept = data.get(mark)
    return isinstance(kept, int) and pressed_message < kept


def answers_this_edit(data: dict[str, Any], field: str, pressed_message: int) -> bool:
    """A button answer belongs to the field being changed now: same field, and under its
    question or a later re-ask."""
    return data.get("field") == field and not pressed_before(data, ASKED, pressed_message)


def edit_asked(before: dict[str, Any], event_id: int, field: str, asked: int) -> int:
    """The mark of a field's question just sent: the earlier one's when the same field of
    the same event was already being asked (a double tap on it sends the question twice,
    and the first copy's buttons stay this edit's)."""
    kept = before.get(ASKED)
    same = (before.get("event_id"), before.get("field")) == (event_id, field)
    return kept if same and isinstance(kept, int) else asked
