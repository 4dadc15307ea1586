"""Attendance marks of an event's seats: one per meeting of a series (`session_marks`), so
unticking meeting 2 does not undo meeting 1; a registration is ATTENDED while any is ticked.

Kept apart from `events` (a mixin of EventRepo) so the seat logic stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, delete, exists, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    SEATED,
    EventSession,
    Registration,
    RegistrationStatus,
    SessionMark,
    utcnow,
)
from storage.repositories.sql import affected, insert_once


class AttendanceMarks:
    session: AsyncSession

    async def mark_attended(
        self, registration_id: int, attended: bool, now: datetime | None = None
    ) -> bool:
        """Tick (or untick) a seat at the meeting under way at `now` (the latest begun; a
        seminar's only one); True when this call changed the mark. The registration is ATTENDED
        while any of its meetings is ticked: a series' meetings are marked apart."""
        found = await self.session.execute(  # not the identity map's copy: it may be stale
            select(Registration.event_id, Registration.status).where(
                Registration.id == registration_id
            )
        )
        reg = found.first()
        meeting = await self._meeting(reg.event_id, now or utcnow()) if reg else None
        if meeting is None:  # no such seat, or an event without meeting rows: one mark
            source = RegistrationStatus.REGISTERED if attended else RegistrationStatus.ATTENDED
            target = RegistrationStatus.ATTENDED if attended else RegistrationStatus.REGISTERED
            return await self._set_status(registration_id, (source,), target)
        if reg is None or reg.status not in SEATED:
            return False
        if attended:
            row = {
                "registration_id": registration_id,
                "session_id": meeting,
                "marked_at": utcnow(),
            }
            changed = await insert_once(self.session, SessionMark, **row)
        else:
            mine = and_(
                SessionMark.registration_id == registration_id, SessionMark.session_id == meeting
            )
            changed = await affected(self.session, delete(SessionMark).where(mine)) > 0
        if changed:
            marked = exists().where(SessionMark.registration_id == registration_id)
            came = case((marked, RegistrationStatus.ATTENDED), else_=RegistrationStatus.REGISTERED)
            await self._set_status(registration_id, SEATED, came)
        return changed

    async def present(self, event_id: int, now: datetime) -> set[int]:
        """The registrations ticked present at the meeting under way at `now`."""
        meeting = await self._meeting(event_id, now)
        query = (
            select(Registration.id).where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.ATTENDED,
            )
            if meeting is None
            else select(SessionMark.registration_id).where(SessionMark.session_id == meeting)
        )
        return set((await self.session.scalars(query)).all())

    async def marked_meetings(self, event_id: int) -> frozenset[datetime]:
        """The starts of the event's meetings anyone was ticked present at."""
        rows = await self.session.scalars(
            select(EventSession.starts_at)
            .join(SessionMark, SessionMark.session_id == EventSession.id)
            .where(EventSession.event_id == event_id)
            .distinct()
        )
        return frozenset(rows.all())

    async def marks_by_registration(self, event_id: int) -> dict[int, set[int]]:
        """Registration id → the meetings (session ids) it was ticked present at."""
        rows = await self.session.execute(
            select(SessionMark.registration_id, SessionMark.session_id)
            .join(EventSession, EventSession.id == SessionMark.session_id)
            .where(EventSession.event_id == event_id)
        )
        found: dict[int, set[int]] = {}
        for registration_id, session_id in rows.all():
            found.setdefault(registration_id, set()).add(session_id)
        return found

    async def _meeting(self, event_id: int, now: datetime) -> int | None:
        """The latest meeting begun by `now` (the first before any has), None without rows."""
        started = select(EventSession.id).where(EventSession.event_id == event_id)
        latest = started.where(EventSession.starts_at <= now).order_by(
            EventSession.starts_at.desc()
        )
        found = await self.session.scalar(latest.limit(1))
        return found or await self.session.scalar(
            started.order_by(EventSession.starts_at).limit(1)
        )

    async def carry_marks(self, source: int, target: int) -> None:
        """/move merging two registrations for one event: the meetings `source` was ticked at
        stay ticked on `target` (the one kept), before `source` is deleted with its marks."""
        theirs = select(SessionMark.session_id).where(SessionMark.registration_id == target)
        await self.session.execute(
            insert(SessionMark).from_select(
                ["registration_id", "session_id", "marked_at"],
                select(literal(target), SessionMark.session_id, SessionMark.marked_at).where(
                    SessionMark.registration_id == source, SessionMark.session_id.not_in(theirs)
                ),
            )
        )

    async def _set_status(
        self, registration_id: int, source: Sequence[str], target: object
    ) -> bool:
        changed = await affected(
            self.session,
            update(Registration)
            .where(Registration.id == registration_id, Registration.status.in_(source))
            .values(status=target, updated_at=utcnow()),
        )
        return changed > 0
