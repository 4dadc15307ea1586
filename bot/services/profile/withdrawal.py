"""152-ФЗ ст. 9 ч. 2: a teacher withdraws the consent to personal data and keeps the bot.

Withdrawing is not forgetting (/forget_me, `privacy.forget`): the МОЦ stops processing what
the consent covered and destroys it (ст. 21 ч. 5) — the profile: ФИО, organisation,
position, contact — while what needs no consent goes on: the FAQ, tickets, news. Seats of
events still ahead are cancelled as «Отменить запись» cancels them (the first in the waiting
list gets the seat and is told): a seat without a name cannot be on a list of participants.
Registrations of events already held stay, without a name, as the count of participants in
the МОЦ's reports; the participation document names the person, so it is no longer issued
(`bot.services.events.proof`). The consent rows stay as the proof, with the time of the
withdrawal. With no profile left, the next «Записаться» asks the consent again, from step 1.

Both messengers call this module; the buttons are neutral values (`bot.core.messages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import Button, Keyboard, Messenger, pack, rows
from bot.services.events.registration import Cancelled, ahead, cancel_all, notify_promoted
from bot.texts import BTN_FORGET
from bot.texts import consent as t
from storage.models import Consent, Event
from storage.repositories import Repositories

PERSONAL = "personal_data"
ACTION = "wdc"  # = handlers.tg.callbacks.ConsentCb


def action(step: str) -> str:
    """`ask` (the confirmation), `yes`, `no`."""
    return pack(ACTION, step)


async def given(repo: Repositories, user_id: int) -> bool:
    """Is there a consent to withdraw: an open one, or a profile kept under an older one (a
    profile saved before the consent was recorded has no row)."""
    if await repo.profiles.has_open_consent(user_id, PERSONAL):
        return True
    return await repo.profiles.get(user_id) is not None


def my_data_buttons(consented: bool) -> Keyboard:
    """Under /my_data: «Отозвать согласие» while there is one, and «Удалить мои данные»."""
    withdraw = [Button(t.BTN_WITHDRAW, action("ask"))] if consented else []
    return rows(*withdraw, Button(BTN_FORGET, pack("forget", "ask")))


def confirm_buttons() -> Keyboard:
    return rows(
        Button(t.BTN_WITHDRAW_YES, action("yes")),
        Button(t.BTN_WITHDRAW_NO, action("no")),
        per_row=(2,),
    )


def _event_lines(events: Sequence[Event], tz: tzinfo) -> str:
    return "\n".join(
        fill(t.EVENT_LINE, when=f"{e.starts_at.astimezone(tz):%d.%m.%Y %H:%M}", title=e.title)
        for e in events
    )


async def confirmation(
    repo: Repositories, user_id: int, now: datetime, tz: tzinfo
) -> tuple[str, Keyboard | None]:
    """What withdrawing would do, with «Да, отозвать» — or that there is nothing to withdraw."""
    if not await given(repo, user_id):
        return t.NOTHING, None
    events = await ahead(repo, user_id, now)
    listed = (
        t.CONFIRM_AHEAD.format(events=_event_lines(events, tz)) if events else t.CONFIRM_NONE_AHEAD
    )
    return t.CONFIRM.format(registrations=listed), confirm_buttons()


@dataclass(frozen=True)
class Withdrawal:
    at: datetime
    cancelled: list[Cancelled]


async def withdraw(repo: Repositories, user_id: int, now: datetime) -> Withdrawal | None:
    """Withdraw and commit; None when there was nothing to withdraw (a second tap, an old
    confirmation after /forget_me or after an earlier withdrawal): nothing changes then."""
    if not await given(repo, user_id):  # one chat's updates come one after another
        return None
    await repo.profiles.withdraw_consents(user_id, PERSONAL, at=now)
    await repo.profiles.delete(user_id)
    cancelled = await cancel_all(repo, user_id, now, started=False)
    await repo.commit()
    await repo.users.scrub_log()  # the deleted profile is not left readable in the WAL
    return Withdrawal(now, cancelled)


def done_text(done: Withdrawal, tz: tzinfo) -> str:
    events = [c.event for c in done.cancelled]
    listed = t.DONE_CANCELLED.format(events=_event_lines(events, tz)) if events else ""
    return t.DONE.format(when=f"{done.at.astimezone(tz):%d.%m.%Y %H:%M}", cancelled=listed)


async def tell_promoted(messenger: Messenger, done: Withdrawal, settings: Settings) -> None:
    """The first in each waiting list learns about the seat, in whichever messenger."""
    for cancelled in done.cancelled:
        if cancelled.promoted is not None:
            await notify_promoted(
                messenger, cancelled.promoted, cancelled.event, settings, done.at
            )


def my_data_note(consents: Sequence[Consent], consented: bool, tz: tzinfo) -> str:
    """The end of /my_data (plain text): how to withdraw, or when it was withdrawn."""
    if consented:
        return fill(t.MY_DATA_GIVEN, button=t.BTN_WITHDRAW)
    withdrawn = [c.withdrawn_at for c in consents if c.kind == PERSONAL and c.withdrawn_at]
    if not withdrawn:
        return ""
    return fill(t.MY_DATA_WITHDRAWN, when=f"{max(withdrawn).astimezone(tz):%d.%m.%Y %H:%M}")
