"""The buttons of the MAX broadcast dialog (handlers.max.broadcast_compose): Telegram's labels
and Telegram's payloads (`bcc:<step>:<value>`, ComposeCb), as neutral keyboards."""

from __future__ import annotations

from typing import Final

from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.staff import composing
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.content import Content
from handlers.max.broadcast_buttons import PREVIEW_ID
from handlers.max.broadcast_channel import buttons

PREFIX: Final = "bcc"  # Telegram's ComposeCb
PREVIEW_STEPS: Final = frozenset({"test", "confirm", "change_when"})  # the latest summary's
# which question each button answers (the step the draft must be at)
STEP_OF: Final = {
    "aud": "audience", "aud_done": "audience", "back_aud": "tags", "tags": "tags",
    "btn": "button", "event": "button", "ack": "ack", "now": "when", "repeat": "repeat",
    "test": "preview", "confirm": "preview", "change_when": "preview",
}  # fmt: skip


def _b(label: str, step: str, value: str = "") -> Button:
    return Button(label, pack(PREFIX, step, value))


CANCEL: Final = _b(t.BTN_CANCEL, "cancel")
CANCEL_ONLY: Final = ((CANCEL,),)


def _with_cancel(*buttons: Button, per_row: tuple[int, ...] = (1,)) -> Keyboard:
    return (*rows(*buttons, per_row=per_row), (CANCEL,))


def audiences(chosen: list[str]) -> Keyboard:
    marked = [
        _b(("✅ " if a in chosen else "") + label, "aud", a)
        for a, label in t.AUDIENCE_LABELS.items()
    ]
    every = all(a in chosen for a in service.ALL_AUDIENCES)
    marked.append(_b(("✅ " if every else "") + t.BTN_ALL, "aud", composing.ALL))
    return _with_cancel(*marked, _b(t.BTN_NEXT, "aud_done"), per_row=(2, 2, 1))


TAGS: Final = _with_cancel(_b(t.BTN_NO_TAGS, "tags"), _b(t.BTN_BACK_AUDIENCE, "back_aud"))
BUTTON: Final = _with_cancel(_b(t.BTN_EVENT_BUTTON, "btn", "event"), _b(t.BTN_NO_BUTTON, "btn"))
ACK: Final = _with_cancel(
    _b(t.BTN_ACK_ON, "ack", "1"), _b(t.BTN_ACK_OFF, "ack", "0"), per_row=(2,)
)
WHEN: Final = _with_cancel(_b(t.BTN_NOW, "now"))
REPEAT: Final = _with_cancel(
    _b(t.BTN_REPEAT_NONE, "repeat"), _b(t.BTN_REPEAT_WEEKLY, "repeat", "weekly"), per_row=(2,)
)


def preview(now: bool) -> Keyboard:
    confirm = t.BTN_CONFIRM_NOW if now else t.BTN_CONFIRM_AT
    return _with_cancel(
        _b(t.BTN_TEST, "test"), _b(confirm, "confirm"), _b(t.BTN_CHANGE_WHEN, "change_when")
    )


def sample(content: Content) -> Keyboard:
    """The buttons recipients get under the message; its «Ознакомлен» records nothing."""
    return tuple(tuple(row) for row in buttons(content, PREVIEW_ID, None))


def events(items: list[tuple[int, str]]) -> Keyboard:
    """Upcoming events (id, label) for «Записаться», then «Без кнопки»."""
    found = [_b(label, "event", str(event_id)) for event_id, label in items]
    return _with_cancel(*found, _b(t.BTN_NO_BUTTON, "btn"))
