"""CallbackData factories: short prefixes, so every payload stays under Telegram's 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RoleCb(CallbackData, prefix="role"):
    role: str


class FaqCb(CallbackData, prefix="faq"):
    """Browsing the knowledge base: `cats` (all categories), `cat` (one), `e` (an entry)."""

    action: str
    id: str = ""


class AskCb(CallbackData, prefix="ask"):
    """Hand a question to a human; `query_id` points at the logged question (0: ask anew)."""

    query_id: int = 0


class TicketCb(CallbackData, prefix="tk"):
    """Ticket actions: reply/close/draft (staff), withdraw/solved/more (the asker)."""

    action: str
    id: int


class ForgetCb(CallbackData, prefix="forget"):
    """Deleting one's data: `ask` (show the confirmation), `yes`, `no`."""

    action: str
