"""The events doors of MAX's menu, «📅 Мероприятия» and «📝 Мои записи», as inline buttons:
MAX has no reply keyboard, so the menu (handlers.max.private), the end of the teacher's form
(handlers.max.profile) and an empty «Мои записи» (handlers.max.event_list) carry them. Their
presses are handlers.max.event_list's (`evm:events`, `evm:my`)."""

from __future__ import annotations

from bot import texts
from bot.core.messages import Button, Keyboard

MENU_PREFIX = "evm"
EVENT_ROLES = ("teacher", "director", "staff")  # as Telegram's main menu (handlers.tg.keyboards)


def events_button() -> Button:
    return Button(texts.BTN_EVENTS, f"{MENU_PREFIX}:events")


def menu_buttons(role: str | None, is_admin: bool) -> Keyboard:
    """The events doors Telegram's reply keyboard gives these roles, as inline buttons."""
    if role not in EVENT_ROLES and not is_admin:
        return ()
    return ((events_button(), Button(texts.BTN_MY_EVENTS, f"{MENU_PREFIX}:my")),)
