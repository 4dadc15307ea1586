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


class FaqDraftsCb(CallbackData, prefix="fqd"):
    """A page of /faq_drafts (staff only)."""

    page: int = 0


class ForgetCb(CallbackData, prefix="forget"):
    """Deleting one's data: `ask` (show the confirmation), `yes`, `no`."""

    action: str


class EventListCb(CallbackData, prefix="evl"):
    """The events list with its filters: kind ("" = all), month as YYYYMM (0 = all), page."""

    kind: str = ""
    month: int = 0
    page: int = 0


class EventFilterCb(CallbackData, prefix="evf"):
    """Open a filter menu (`what`: kind or month), carrying the list's current filters."""

    what: str
    kind: str = ""
    month: int = 0


class EventCb(CallbackData, prefix="ev"):
    """Teacher actions on an event: card, reg, cancel, cancel_yes, ics, proof."""

    action: str
    id: int


class AdminEventCb(CallbackData, prefix="eva"):
    """Staff actions on an event (checked against ADMIN_IDS on the server):
    people, xlsx, csv, attend, announce, close, cancel, cancel_yes, edit, new."""

    action: str
    id: int = 0


class AttendCb(CallbackData, prefix="att"):
    """Toggle attendance of one registration (staff only)."""

    reg: int
    page: int = 0


class ProfileCb(CallbackData, prefix="pf"):
    """Profile dialog buttons: org (index into the known list, -1 typed), pos, consent, mail."""

    field: str
    value: int = 0


class AckCb(CallbackData, prefix="ack"):
    """«Ознакомлен» under a broadcast."""

    b: int


class UnsubCb(CallbackData, prefix="unsub"):
    """«Отписаться» under a broadcast delivered to a private subscriber."""

    a: str


class BindCb(CallbackData, prefix="bind"):
    """Put the group where the button was pressed into an audience (admins only)."""

    a: str


class KbCb(CallbackData, prefix="kb"):
    """Staff teach the FAQ from a question (`src`: t = a ticket, q = a logged question; `id`
    its row): pick (show entries), a (attach to entry `e`), find, new, cat (category `e`).
    Staff rights are checked on the server; the question text is read from the database."""

    action: str
    src: str = "q"
    id: int = 0
    e: str = ""
