"""CallbackData factories: short prefixes, so every payload stays under Telegram's 64 bytes.

Every number carries its range (the types below): callback data comes from the client and can
be forged, and a value the database cannot hold must fail in unpacking, where
handlers.tg.callback_guard answers it quietly, not deep in a query with an OverflowError.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator, Field

from bot.core.ids import INT32_MAX


def _year_month(value: int) -> int:
    if value and not (190001 <= value <= 299912 and 1 <= value % 100 <= 12):
        raise ValueError("month must be 0 or YYYYMM")
    return value


DbId = Annotated[int, Field(ge=0, le=INT32_MAX)]  # a row id; 0 where "none" is allowed
ChatId = Annotated[int, Field(ge=-(2**52), le=2**52)]  # Telegram ids fit in 52 bits
Page = Annotated[int, Field(ge=0, le=10_000)]
Choice = Annotated[int, Field(ge=-1, le=10_000)]  # an index into a list; -1: typed instead
YearMonth = Annotated[int, Field(ge=0, le=299912), AfterValidator(_year_month)]


class RoleCb(CallbackData, prefix="role"):
    role: str


class FaqCb(CallbackData, prefix="faq"):
    """Browsing the knowledge base: `cats` (all categories), `cat` (one), `e` (an entry),
    `s` (an entry offered for a logged question: «<query_id>-<entry_id>»), `o` (the offers
    for a logged question again: «<query_id>»)."""

    action: str
    id: str = ""


class AskCb(CallbackData, prefix="ask"):
    """Hand a question to a human; `query_id` points at the logged question (0: ask anew)."""

    query_id: DbId = 0


class TicketCb(CallbackData, prefix="tk"):
    """Ticket actions: reply/close/draft (staff), withdraw/solved/more (the asker)."""

    action: str
    id: DbId


class FaqDraftsCb(CallbackData, prefix="fqd"):
    """A page of /faq_drafts (staff only)."""

    page: Page = 0


class ForgetCb(CallbackData, prefix="forget"):
    """Deleting one's data: `ask` (show the confirmation), `yes`, `no`."""

    action: str


class ConsentCb(CallbackData, prefix="wdc"):
    """Withdrawing the consent to personal data (bot.services.profile.withdrawal): `ask` (show
    the confirmation), `yes`, `no`."""

    action: str


class EventListCb(CallbackData, prefix="evl"):
    """The events list with its filters: kind ("" = all), month as YYYYMM (0 = all), page."""

    kind: str = ""
    month: YearMonth = 0
    page: Page = 0


class EventFilterCb(CallbackData, prefix="evf"):
    """Open a filter menu (`what`: kind or month), carrying the list's current filters."""

    what: str
    kind: str = ""
    month: YearMonth = 0


class EventCb(CallbackData, prefix="ev"):
    """Teacher actions on an event: card, reg, cancel, cancel_yes, ics, proof."""

    action: str
    id: DbId


class AdminEventCb(CallbackData, prefix="eva"):
    """Staff actions on an event (checked against ADMIN_IDS on the server):
    people, xlsx, csv, attend, announce, close, reopen, cancel, cancel_yes, edit, new."""

    action: str
    id: DbId = 0


class AttendCb(CallbackData, prefix="att"):
    """Toggle attendance of one registration (staff only): the buttons of lists sent before
    AttendSetCb, still pressed in old chats."""

    reg: DbId
    page: Page = 0


class AttendSetCb(CallbackData, prefix="ats"):
    """Set one registration's mark to what its button showed it would (`want`): a list opened
    before a colleague's mark must not undo that mark, as a blind flip did (staff only)."""

    reg: DbId
    page: Page = 0
    want: bool = True


class ProfileCb(CallbackData, prefix="pf"):
    """Profile dialog buttons: org (index into the known list, -1 typed), pos, consent, mail."""

    field: str
    value: Choice = 0


class AckCb(CallbackData, prefix="ack"):
    """«Ознакомлен» under a broadcast."""

    b: DbId


PREVIEW_ID = 0  # AckCb.b of a preview or a test copy: it carries no broadcast yet


class UnsubCb(CallbackData, prefix="unsub"):
    """«Отписаться» under a broadcast delivered to a private subscriber."""

    a: str


class ResubCb(CallbackData, prefix="resub"):
    """«Подписаться снова» under «Вы отписались…»: the audience just left."""

    a: str


class BindCb(CallbackData, prefix="bind"):
    """Put the group where the button was pressed into an audience (admins only)."""

    a: str


class KbCb(CallbackData, prefix="kb"):
    """Staff teach the FAQ from a question (`src`: t = a ticket, q = a logged question; `id`
    its row): pick (show entries), a (attach to entry `e`), find, new, cat (category `e`), fix
    (ask step `e` of a refused new entry again), drop (the new entry cancelled).
    Staff rights are checked on the server; the question text is read from the database."""

    action: str
    src: str = "q"
    id: DbId = 0
    e: str = ""


class StaffCb(CallbackData, prefix="stf"):
    """An owner removes a staff member (the owner role is checked on the server)."""

    person: Annotated[int, Field(ge=-(2**62), le=2**62)]  # internal ids: MAX ones are 2**60+n


class MoveCb(CallbackData, prefix="mv"):
    """Moving one's data to another messenger account (bot.services.profile.transfer): `ask`
    (give a code)."""

    action: str
