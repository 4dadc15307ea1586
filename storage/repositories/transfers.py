"""Moving a person's data to another account of theirs (/move): the one-time codes and the
re-keying of every table that follows the person.

What follows the person: the teacher profile, registrations, consents (the proof moves with
the person: re-keyed, not copied), news subscriptions and the role. Tickets and their history
stay: answers go to the chat a question came from. МОЦ staff access, its role and the staff
news are not moved here: the roster decides who is staff (bot.services.profile.staff_move
moves them in the same transaction). Callers commit once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from bot.core.ids import channel_of
from storage.models import (
    Audience,
    Consent,
    Event,
    Registration,
    RegistrationStatus,
    Role,
    Subscription,
    TeacherProfile,
    TransferCode,
    TransferMiss,
    User,
)
from storage.repositories.sql import affected


@dataclass(frozen=True)
class Moved:
    """What the re-keying moved (counts of rows)."""

    profile: bool
    registrations: int  # not cancelled ones
    consents: int
    subscriptions: int
    role: str | None  # the role the target took over, None when it kept its own
    staff: bool = False  # staff access came along (set by bot.services.profile.staff_move)


class TransferRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(
        self, user_id: int, code_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        """The person's new code; their earlier one, and everyone's expired ones, go."""
        await self.session.execute(
            delete(TransferCode).where(
                (TransferCode.user_id == user_id) | (TransferCode.expires_at <= now)
            )
        )
        self.session.add(
            TransferCode(
                code_hash=code_hash, user_id=user_id, created_at=now, expires_at=expires_at
            )
        )
        await self.session.flush()

    async def issued_since(self, user_id: int, since: datetime) -> bool:
        """A code given to the person after `since` (a double tap on «Перенести»)."""
        found = await self.session.scalar(
            select(TransferCode.code_hash).where(
                TransferCode.user_id == user_id, TransferCode.created_at > since
            )
        )
        return found is not None

    async def live_until(self, user_id: int, now: datetime) -> datetime | None:
        """Until when the person's /move code works (their «Мои данные»), None without one."""
        return await self.session.scalar(
            select(TransferCode.expires_at).where(
                TransferCode.user_id == user_id, TransferCode.expires_at > now
            )
        )

    async def misses(self, user_id: int, since: datetime) -> int:
        """Wrong codes the account sent after `since`."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(TransferMiss)
            .where(TransferMiss.user_id == user_id, TransferMiss.at > since)
        )
        return int(count or 0)

    async def miss(self, user_id: int, now: datetime, since: datetime) -> None:
        """A wrong code from the account; everyone's misses before `since` go."""
        await self.session.execute(delete(TransferMiss).where(TransferMiss.at <= since))
        self.session.add(TransferMiss(user_id=user_id, at=now))
        await self.session.flush()

    async def owner(self, code_hash: str, now: datetime) -> int | None:
        """Whose data a live code moves (a look, nothing consumed)."""
        return await self.session.scalar(
            select(TransferCode.user_id).where(
                TransferCode.code_hash == code_hash, TransferCode.expires_at > now
            )
        )

    async def claim(self, code_hash: str, now: datetime) -> int | None:
        """Consume a live code: one DELETE … RETURNING, so of two messages with the same
        code only one finds it; whose data it moves."""
        owner: int | None = await self.session.scalar(
            delete(TransferCode)
            .where(TransferCode.code_hash == code_hash, TransferCode.expires_at > now)
            .returning(TransferCode.user_id)
        )
        return owner

    async def drop_codes(self, user_id: int) -> None:
        """The account's live code, once data came to it: that code was given for what it
        held then, and sent back from here it would carry the data straight back."""
        await self.session.execute(delete(TransferCode).where(TransferCode.user_id == user_id))

    async def shared(
        self, source: int, target: int
    ) -> Sequence[tuple[Registration, Registration]]:
        """(source's, target's) registrations for the same event, events and sessions loaded
        (a promotion's .ics reads them)."""
        theirs = aliased(Registration)
        rows = await self.session.execute(
            select(Registration, theirs)
            .join(theirs, theirs.event_id == Registration.event_id)
            .options(joinedload(Registration.event).selectinload(Event.sessions))
            .where(Registration.user_id == source, theirs.user_id == target)
        )
        return [(mine, other) for mine, other in rows.all()]

    async def drop_registration(self, registration: Registration) -> None:
        """A duplicate the merge gave up (after `EventRepo.cancel` handed its seat on)."""
        await self.session.execute(delete(Registration).where(Registration.id == registration.id))

    async def move(self, source: int, target: int) -> Moved:
        """Re-key everything that follows the person from `source` to `target`. The source's
        profile wins over the target's; a registration for an event both have must have been
        resolved before (`shared`, `drop_registration`)."""
        profile = await self.session.get(TeacherProfile, source) is not None
        if profile:
            await self.session.execute(
                delete(TeacherProfile).where(TeacherProfile.user_id == target)
            )
            await self.session.execute(
                update(TeacherProfile)
                .where(TeacherProfile.user_id == source)
                .values(user_id=target)
            )
        registrations = await self.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.user_id == source,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
        # a registration stays counted in the messenger it was made from (report_rows.Row)
        await self.session.execute(
            update(Registration)
            .where(Registration.user_id == source)
            .values(
                user_id=target,
                anon_channel=func.coalesce(Registration.anon_channel, channel_of(source)),
            )
        )
        consents = await affected(
            self.session,
            update(Consent).where(Consent.user_id == source).values(user_id=target),
        )
        subscriptions = await self._move_subscriptions(source, target)
        role = await self._take_role(source, target)
        await self.session.flush()
        return Moved(profile, int(registrations or 0), consents, subscriptions, role)

    async def _move_subscriptions(self, source: int, target: int) -> int:
        theirs = set(
            await self.session.scalars(
                select(Subscription.audience).where(Subscription.user_id == target)
            )
        )
        follows = (Subscription.user_id == source) & (Subscription.audience != Audience.STAFF)
        mine = list(await self.session.scalars(select(Subscription.audience).where(follows)))
        self.session.add_all(
            Subscription(user_id=target, audience=a) for a in mine if a not in theirs
        )
        await self.session.execute(delete(Subscription).where(follows))
        return len(mine)

    async def _take_role(self, source: int, target: int) -> str | None:
        """The source's role, when the target has none yet or only «Родитель» (as registering
        makes a parent a teacher: a teacher who pressed «Родитель» in the new messenger);
        never «Сотрудник МОЦ», which goes with staff access (bot.services.profile.staff_move)."""
        role = await self.session.scalar(select(User.role).where(User.id == source))
        if role in (None, Role.PARENT, Role.STAFF):
            return None
        changed = await affected(
            self.session,
            update(User)
            .where(User.id == target, User.role.is_(None) | (User.role == Role.PARENT))
            .values(role=role),
        )
        return role if changed else None
