"""A person's menu buttons in the MAX dialog (MAX has no reply keyboard): what /menu shows,
and what comes under the other replies that end with «Чем ещё помочь?» (/cancel)."""

from __future__ import annotations

from bot.core.messages import Keyboard
from bot.services.faq import consult
from handlers.max import event_doors, staff_desk
from handlers.max.people import Visit


def menu(v: Visit, role: str | None = None) -> Keyboard:
    """The FAQ topics, with the events doors first for who works with events and the desk's
    doors for staff (Telegram's reply keyboard has both)."""
    doors = event_doors.menu_buttons(role or v.user.role, v.is_admin)
    return doors + staff_desk.menu_buttons(v.is_admin) + consult.categories(v.ctx.faq).buttons
