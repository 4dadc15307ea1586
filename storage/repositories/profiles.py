"""Teacher profiles, consents (152-ФЗ proof) and the list of known organisations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Consent, Organisation, TeacherProfile, utcnow


class ProfileRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> TeacherProfile | None:
        return await self.session.get(TeacherProfile, user_id)

    async def save(
        self,
        user_id: int,
        *,
        full_name: str,
        organisation: str,
        position: str,
        contact: str,
        mailing_consent: bool,
    ) -> TeacherProfile:
        profile = await self.session.get(TeacherProfile, user_id)
        if profile is None:
            profile = TeacherProfile(user_id=user_id)
            self.session.add(profile)
        profile.full_name, profile.organisation = full_name, organisation
        profile.position, profile.contact = position, contact
        profile.mailing_consent = mailing_consent
        profile.updated_at = utcnow()
        await self.session.flush()
        return profile

    async def delete(self, user_id: int) -> None:
        await self.session.execute(delete(TeacherProfile).where(TeacherProfile.user_id == user_id))

    async def give_consent(self, user_id: int, kind: str, version: str) -> Consent:
        consent = Consent(user_id=user_id, kind=kind, version=version)
        self.session.add(consent)
        await self.session.flush()
        return consent

    async def withdraw_consents(
        self, user_id: int, kind: str | None = None, at: datetime | None = None
    ) -> None:
        """Mark the person's open consents (of `kind`, or all) withdrawn at `at` (now), keeping
        the rows."""
        query = update(Consent).where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None))
        if kind is not None:
            query = query.where(Consent.kind == kind)
        await self.session.execute(query.values(withdrawn_at=at or utcnow()))

    async def has_open_consent(self, user_id: int, kind: str) -> bool:
        found = await self.session.scalar(
            select(Consent.id)
            .where(Consent.user_id == user_id, Consent.kind == kind)
            .where(Consent.withdrawn_at.is_(None))
            .limit(1)
        )
        return found is not None

    async def start_mailing(self, user_id: int, version: str) -> None:
        """Announcements from now on (the teachers' news subscribed without the form): the
        profile's flag, if there is a profile, and the mailing consent unless one is open."""
        await self.session.execute(
            update(TeacherProfile)
            .where(TeacherProfile.user_id == user_id)
            .values(mailing_consent=True)
        )
        if not await self.has_open_consent(user_id, "mailing"):
            await self.give_consent(user_id, "mailing", version)

    async def stop_mailing(self, user_id: int) -> None:
        """«No announcements» from now on: the profile's flag and the mailing consent."""
        await self.session.execute(
            update(TeacherProfile)
            .where(TeacherProfile.user_id == user_id)
            .values(mailing_consent=False)
        )
        await self.withdraw_consents(user_id, kind="mailing")

    async def consents(self, user_id: int) -> Sequence[Consent]:
        rows = await self.session.scalars(
            select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)
        )
        return rows.all()

    async def organisations(self) -> Sequence[Organisation]:
        rows = await self.session.scalars(select(Organisation).order_by(Organisation.name))
        return rows.all()

    async def organisation(self, org_id: int) -> Organisation | None:
        return await self.session.get(Organisation, org_id)

    async def add_organisations(self, names: Sequence[str]) -> int:
        known = set((await self.session.scalars(select(Organisation.name))).all())
        fresh = sorted({n.strip() for n in names if n.strip()} - known)
        self.session.add_all(Organisation(name=n) for n in fresh)
        await self.session.flush()
        return len(fresh)
