"""The «Кто вы?» buttons (`role:<role>`, handled in handlers.max.private): under the welcome,
/role, and anything that needs a role first (/subscribe sends news by it)."""

from __future__ import annotations

from bot import texts
from bot.core.messages import Button, Keyboard, rows
from storage.models import Role


def role_buttons(include_staff: bool) -> Keyboard:
    """«Сотрудник МОЦ» only for staff (a forged press is refused in handlers.max.private)."""
    return rows(
        *(
            Button(title, f"role:{role}")
            for role, title in texts.ROLE_TITLES.items()
            if role != Role.STAFF or include_staff
        )
    )
