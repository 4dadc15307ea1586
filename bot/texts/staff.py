"""Texts of adding and removing МОЦ staff in the bot (Russian, Telegram HTML; values escaped
by fill)."""

from __future__ import annotations

from typing import Final

INVITE_LINK: Final = (
    "🔗 Ссылка-приглашение для нового сотрудника МОЦ:\n{link}\n\n"
    "Действует до {until} и открывается один раз: кто её откроет, станет сотрудником. "
    "Пересылайте её только тому, кого приглашаете."
)
INVITE_OWNERS_ONLY: Final = "Приглашать и удалять сотрудников могут только владельцы бота."
# a staff command that answers only in a private chat, typed in a group (the staff group too)
PRIVATE_COMMAND: Final = "Команда /{command} работает только в личном чате: напишите её мне туда."
INVITE_PRIVATE_ONLY: Final = "Ссылку-приглашение я пришлю в личном чате: напишите мне /invite."
# what opening an invite link led to
INVITE_OUTCOMES: Final = {
    "joined": "✅ Вы теперь сотрудник МОЦ. Команды сотрудника — в /help, веб-панель — /web.",
    "already": "Вы уже сотрудник МОЦ.",
    "forged": ("Ссылка-приглашение повреждена или не от этого бота. Попросите у владельца новую."),
    "expired": "Ссылка-приглашение устарела: она действует 24 часа. Попросите у владельца новую.",
    "used": (
        "Эта ссылка-приглашение уже использована: каждая открывается один раз. "
        "Попросите у владельца новую."
    ),
    "revoked": (
        "Эта ссылка-приглашение больше не действует: её создал тот, кто теперь не владелец "
        "бота. Попросите новую у владельца."
    ),
}
STAFF_LIST: Final = "<b>Сотрудники МОЦ</b>\n{people}\n\nНовый сотрудник — /invite."
STAFF_LINE: Final = "• {name} — {role}{where}"
STAFF_IN_MAX: Final = ", MAX"  # a Telegram-only list reads as before; MAX people are marked
STAFF_NO_NAME: Final = "id {id}"  # never wrote to the bot: the id in its own messenger
ROLE_NAMES: Final = {"owner": "владелец", "staff": "сотрудник"}
BTN_REMOVE: Final = "Удалить: {name}"
REMOVE_OUTCOMES: Final = {
    "removed": "Сотрудник удалён.",
    "is_owner": "Владельца удалить нельзя: он задан в настройках бота.",
    "not_staff": "Этот человек уже не сотрудник.",
    "not_owner": INVITE_OWNERS_ONLY,
}
MENU_BUTTON: Final = "Панель"
