"""Staff members, invite links and the audit log (storage.models.staff)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import AuditEntry, StaffInvite, StaffMember, StaffRole
from storage.repositories.channel_ids import ChannelIdRepo
from storage.repositories.sql import affected, insert_once


async def owner_ids(
    session: AsyncSession, admin_ids: frozenset[int], max_admin_ids: frozenset[int]
) -> tuple[frozenset[int], bool]:
    """The owners: ADMIN_IDS, and the internal ids of MAX_ADMIN_IDS who have written to the
    bot (one who has not has no internal id yet); whether every MAX owner was found."""
    ids, complete = set(admin_ids), True
    for max_id in sorted(max_admin_ids):
        found = await ChannelIdRepo(session).find("max", "user", max_id)
        complete = complete and found is not None
        ids.update([found] if found is not None else [])
    return frozenset(ids), complete


def not_staff(
    person: InstrumentedAttribute[int], owners: frozenset[int] = frozenset()
) -> ColumnElement[bool]:
    """`person` is no staff member: neither invited (staff_members) nor an owner (`owners`:
    ADMIN_IDS and MAX_ADMIN_IDS as internal ids, `owner_ids`). Their
    test questions and tickets are no parent's, and reports leave them out."""
    invited = person.not_in(select(StaffMember.person_id))
    return and_(invited, person.not_in(owners)) if owners else invited


class StaffRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def members(self) -> Sequence[StaffMember]:
        return (await self.session.scalars(select(StaffMember))).all()

    async def add(self, person_id: int, added_by: int | None, now: datetime) -> bool:
        """False when they were staff already (the primary key decides under a race)."""
        return await insert_once(
            self.session, StaffMember,
            person_id=person_id, role=StaffRole.STAFF, added_by=added_by, added_at=now,
        )  # fmt: skip

    async def remove(self, person_id: int) -> bool:
        statement = delete(StaffMember).where(StaffMember.person_id == person_id)
        return await affected(self.session, statement) == 1

    async def add_invite(
        self, nonce: str, created_by: int, now: datetime, until: datetime
    ) -> None:
        self.session.add(
            StaffInvite(nonce=nonce, created_by=created_by, created_at=now, expires_at=until)
        )
        await self.session.flush()

    async def invite(self, nonce: str) -> StaffInvite | None:
        return await self.session.get(StaffInvite, nonce)

    async def use_invite(self, nonce: str, person_id: int, now: datetime) -> bool:
        """Claim an unused, unexpired invite; True for the one caller that won it."""
        statement = (
            update(StaffInvite)
            .where(
                StaffInvite.nonce == nonce,
                StaffInvite.used_by.is_(None),
                StaffInvite.expires_at > now,
            )
            .values(used_by=person_id, used_at=now)
        )
        return await affected(self.session, statement) == 1

    async def log(
        self, actor_id: int | None, action: str, subject: str, detail: str, now: datetime
    ) -> None:
        self.session.add(
            AuditEntry(actor_id=actor_id, action=action, subject=subject, detail=detail, at=now)
        )
        await self.session.flush()

    async def audit(self, prefix: str = "", limit: int = 50) -> Sequence[AuditEntry]:
        """The newest entries first; `prefix` narrows to one area (`staff.`)."""
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if prefix:
            query = query.where(AuditEntry.action.startswith(prefix))
        return (await self.session.scalars(query.limit(limit))).all()
