"""One registration as the report reads it, and who it stands for.

A person who used /forget_me left their registrations behind without a user id
(`EventRepo.anonymise`): the row's `anon_*` columns say where they registered from and hold
one number that keeps them one participant however many events they came to. Their school
went with their profile: they are a participant «без указанной организации».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.ids import channel_of

NO_ORGANISATION = "не указана"


def _person(user_id: int, full_name: str | None, contact: str | None) -> tuple[str, ...]:
    """The same ФИО and contact (a phone by its digits) in a Telegram and a MAX profile is one
    teacher; without both, the account alone."""
    name = " ".join((full_name or "").casefold().replace("ё", "е").split())
    digits = "".join(c for c in contact or "" if c.isdigit())
    reach = digits[-10:] if len(digits) >= 10 else " ".join((contact or "").casefold().split())
    return ("profile", name, reach) if name and reach else ("account", str(user_id))


def _organisation(typed: str | None) -> str:
    return " ".join((typed or "").split()) or NO_ORGANISATION


@dataclass(frozen=True)
class Row:
    """A registration as read; one of a person who used /forget_me has `anon_*`, no user."""

    id: int
    event_id: int
    user_id: int | None
    status: str
    created_at: datetime
    cancelled_late: bool | None
    organisation: str | None
    full_name: str | None
    contact: str | None
    anon_channel: str | None
    anon_person: int | None

    def fields(self) -> tuple[int, str, str, datetime, bool, str, tuple[str, ...]]:
        if self.user_id is None:
            person: tuple[str, ...] = ("forgotten", str(self.anon_person))
            channel = self.anon_channel or ""
        else:
            person = _person(self.user_id, self.full_name, self.contact)
            channel = channel_of(self.user_id)
        return (
            self.event_id, channel, self.status, self.created_at, bool(self.cancelled_late),
            _organisation(self.organisation), person,
        )  # fmt: skip
