"""One registration as the report reads it, and who it stands for.

A person who used /forget_me left their registrations behind without a user id
(`EventRepo.anonymise`): the row's `anon_*` columns say where they registered from and hold
one number that keeps them one participant however many events they came to. Their school
went with their profile: they are a participant «без указанной организации». A teacher who
keeps a profile with the same ФИО and contact in the other messenger stays that one teacher:
the number is then the lowest registration id of the account they keep (`person_number`),
and the report counts the rows as that account's (`kept_people`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ids import channel_of
from storage.models import Registration, TeacherProfile

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

    def fields(
        self, kept: Mapping[int, tuple[str, ...]]
    ) -> tuple[int, str, str, datetime, bool, str, tuple[str, ...]]:
        if self.user_id is None:
            number = self.anon_person
            person = kept.get(number or 0) or ("forgotten", str(number))
            channel = self.anon_channel or ""
        else:
            person = _person(self.user_id, self.full_name, self.contact)
            # made from another account of the person's (/move): that account's messenger
            channel = self.anon_channel or channel_of(self.user_id)
        return (
            self.event_id, channel, self.status, self.created_at, bool(self.cancelled_late),
            _organisation(self.organisation), person,
        )  # fmt: skip


async def person_number(session: AsyncSession, user_id: int) -> int | None:
    """/forget_me: the number the person's rows keep — the lowest registration id of their
    other account with the same ФИО and contact (a teacher of both messengers), else their
    own lowest; None without registrations."""
    own = await session.scalar(
        select(func.min(Registration.id)).where(Registration.user_id == user_id)
    )
    profile = await session.get(TeacherProfile, user_id)
    if own is None or profile is None:
        return own
    me = _person(user_id, profile.full_name, profile.contact)
    if me[0] != "profile":
        return own
    others = await session.execute(
        select(TeacherProfile.user_id, TeacherProfile.full_name, TeacherProfile.contact).where(
            TeacherProfile.user_id != user_id
        )
    )
    twins = [uid for uid, name, contact in others if _person(uid, name, contact) == me]
    theirs = await session.scalar(
        select(func.min(Registration.id)).where(Registration.user_id.in_(twins))
    )
    return theirs if twins and theirs is not None else own


async def kept_people(
    session: AsyncSession, numbers: Collection[int]
) -> dict[int, tuple[str, ...]]:
    """Who the forgotten rows numbered so stand for: the account still holding that
    registration (a teacher of both messengers who deleted one), or the number's own person
    once that account is forgotten too."""
    if not numbers:
        return {}
    rows = await session.execute(
        select(
            Registration.id, Registration.user_id, Registration.anon_person,
            TeacherProfile.full_name, TeacherProfile.contact,
        )
        .outerjoin(TeacherProfile, TeacherProfile.user_id == Registration.user_id)
        .where(Registration.id.in_(set(numbers)))
    )  # fmt: skip
    return {
        reg_id: _person(user_id, name, contact)
        if user_id is not None
        else ("forgotten", str(anon or reg_id))
        for reg_id, user_id, anon, name, contact in rows
    }


class Anonymising:
    """EventRepo's /forget_me step (a mixin, as AttendanceMarks)."""

    session: AsyncSession

    async def anonymise(self, user_id: int, channel: str) -> None:
        """/forget_me: the person's rows stay for the report, naming nobody. `anon_person`,
        the lowest of their registration ids, keeps them one participant; `channel` is the
        messenger the report counts them in (a row brought over by /move keeps its own)."""
        mine = Registration.user_id == user_id
        person = await person_number(self.session, user_id)  # a twin account's, if any
        if person is None:
            return
        await self.session.execute(
            update(Registration)
            .where(mine)
            .values(
                user_id=None,
                anon_channel=func.coalesce(Registration.anon_channel, channel),
                anon_person=person,
            )
        )
