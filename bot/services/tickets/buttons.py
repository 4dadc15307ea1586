"""The buttons under ticket messages, as neutral values (`bot.core.messages`).

Actions pack like the Telegram adapter's `TicketCb` and `KbCb` (tests/test_actions.py checks
that each unpacks there), so the routers that handle a press are the same for every sender.
"""

from __future__ import annotations

from bot import texts
from bot.core.messages import Button, Keyboard, pack, rows
from bot.texts.faq_learn import BTN_TO_KB


def ticket_action(action: str, ticket_id: int) -> str:
    return pack("tk", action, ticket_id)


def staff_ticket(ticket_id: int, closed: bool = False) -> Keyboard:
    """Under a ticket post in the staff chat: reply, close, draft, and teach the FAQ from it."""
    buttons = [Button(texts.BTN_REPLY, ticket_action("reply", ticket_id))]
    if not closed:
        buttons.append(Button(texts.BTN_CLOSE, ticket_action("close", ticket_id)))
    buttons.append(Button(texts.BTN_DRAFT, ticket_action("draft", ticket_id)))
    # staff attach the question to an FAQ entry (or start one from it): handlers/faq_learn.py
    buttons.append(Button(BTN_TO_KB, pack("kb", "pick", "t", ticket_id, "")))
    return rows(*buttons, per_row=(2, 2))


def closed_ticket(ticket_id: int) -> Keyboard:
    """Under a closed ticket's card and notes: «Ответить» and «Закрыть» go, what still makes
    sense stays — a solved ticket is what a FAQ draft or entry is made from."""
    return rows(
        Button(texts.BTN_DRAFT, ticket_action("draft", ticket_id)),
        Button(BTN_TO_KB, pack("kb", "pick", "t", ticket_id, "")),
    )


def answer_prompt(ticket_id: int) -> Keyboard:
    """Under MAX's «напишите ответ» prompt: «Отмена» ends the wait, as /cancel does (MAX shows
    no command list to tap /cancel from)."""
    return rows(Button(texts.BTN_CANCEL, ticket_action("unreply", ticket_id)))


def user_ticket_open(ticket_id: int) -> Keyboard:
    """Under the asker's «Передал ваш вопрос…» and «Добавил это к обращению»: take it back."""
    return rows(Button(texts.BTN_WITHDRAW, ticket_action("withdraw", ticket_id)))


def user_ticket_answered(ticket_id: int) -> Keyboard:
    """Under a staff answer in the asker's chat: solved, or ask more."""
    return rows(
        Button(texts.BTN_SOLVED, ticket_action("solved", ticket_id)),
        Button(texts.BTN_FOLLOW_UP, ticket_action("more", ticket_id)),
    )
