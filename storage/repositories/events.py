"""Events and seats. Every seat change is one conditional UPDATE, so capacity holds under load.

A registration that takes a seat increments `events.taken` only where `taken < capacity`; a
cancellation hands the seat to the first in the waiting list or gives it back. The unique
(event, user) key stops double registration. Callers commit once per operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.models import (
    SEATED,
    Event,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from storage.repositories.marks import AttendanceMarks
from storage.repositories.report_rows import Anonymising
from storage.repositories.sql import affected

LONGEST_MEETING_MIN = 1440  # the form and the import allow no longer meeting
ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING, RegistrationStatus.ATTENDED)


@dataclass(frozen=True)
class SeatResult:
    registration: Registration
    outcome: str  # registered | waiting | already | closed


@dataclass(frozen=True)
class CancelResult:
    cancelled: bool
    late: bool
    promoted: Registration | None
    left_queue: bool = False  # it was a place in the waiting list, not a seat


class EventRepo(AttendanceMarks, Anonymising):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, event: Event, session_starts: Sequence[datetime] = ()) -> Event:
        starts = list(session_starts) or [event.starts_at]
        event.sessions = [
            EventSession(starts_at=s, duration_min=event.duration_min) for s in starts
        ]
        event.starts_at = min(starts)
        self.session.add(event)
        await self.session.flush()
        return event

    async def same(self, title: str, starts_at: datetime, *, live: bool = False) -> Event | None:
        """The event of this title starting then: a plan imported again names it, not a new
        one (the importers skip it rather than list it twice for teachers). `live`: a
        cancelled one does not count (the panel's form may put it back)."""
        where = [Event.title == title, Event.starts_at == starts_at]
        if live:
            where.append(Event.status != EventStatus.CANCELLED)
        found = await self.session.scalars(select(Event).where(*where).limit(1))
        return found.first()

    async def get(self, event_id: int) -> Event | None:
        """With its meetings loaded, fresh even when this session loaded it before a commit."""
        return await self.session.get(
            Event, event_id, options=[selectinload(Event.sessions)], populate_existing=True
        )

    async def meetings_on(self, now: datetime) -> dict[int, int]:
        """The meetings begun and not over at `now` (session id → event id): a meeting is
        the teacher's until it ends, in every list alike (`cards.not_over` is its rule)."""
        rows = await self.session.execute(
            select(
                EventSession.id, EventSession.event_id, EventSession.starts_at,
                EventSession.duration_min,
            ).where(
                EventSession.starts_at < now,
                EventSession.starts_at >= now - timedelta(minutes=LONGEST_MEETING_MIN),
            )
        )  # fmt: skip
        return {
            sid: eid for sid, eid, start, minutes in rows
            if start + timedelta(minutes=minutes) > now
        }  # fmt: skip

    async def upcoming(
        self,
        now: datetime,
        kind: str | None = None,
        between: tuple[datetime, datetime] | None = None,
        offset: int = 0,
        limit: int = 50,
        *,
        seated: int | None = None,
    ) -> Sequence[Event]:
        """Events not cancelled with a meeting ahead, by their current meeting (the one under
        way, else the next: a workshop under way is not put first for its held first one);
        `seated` (a user id): their own event whose last meeting is under way stays too —
        they still need its card (link, place) until it ends, while nobody else can join it.
        `between`: those with a meeting not over in that span (a workshop's third meeting
        finds it as its first does: a teacher asks for a day or a month)."""
        on = await self.meetings_on(now)
        alive = (EventSession.starts_at >= now) | EventSession.id.in_(list(on))
        last = (
            select(func.max(EventSession.starts_at))
            .where(EventSession.event_id == Event.id)
            .scalar_subquery()
        )
        current = (
            select(func.min(EventSession.starts_at))
            .where(EventSession.event_id == Event.id, alive)
            .scalar_subquery()
        )
        shown = last >= now
        if seated is not None and on:
            mine = select(Registration.id).where(
                Registration.event_id == Event.id,
                Registration.user_id == seated,
                Registration.status.in_(SEATED),
            )
            shown = shown | (Event.id.in_(set(on.values())) & mine.exists())
        query = (
            select(Event)
            .options(selectinload(Event.sessions))
            .where(Event.status != EventStatus.CANCELLED, shown)
            .order_by(current, Event.id)
            .offset(offset)
            .limit(limit)
        )
        if kind:
            query = query.where(Event.kind == kind)
        if between is not None:
            meets = select(EventSession.id).where(
                EventSession.event_id == Event.id,
                alive,
                EventSession.starts_at >= between[0],
                EventSession.starts_at < between[1],
            )
            query = query.where(meets.exists())
        return (await self.session.scalars(query)).all()

    async def waiting_position(self, registration: Registration) -> int:
        """1 for the first in the waiting list; those who blocked the bot are not ahead (a
        freed seat passes them by, `_promote_first`)."""
        ahead = await self.session.scalar(
            select(func.count())
            .select_from(Registration)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.event_id == registration.event_id,
                Registration.status == RegistrationStatus.WAITING,
                User.is_active.is_(True),
                (Registration.queued_at < registration.queued_at)
                | (
                    (Registration.queued_at == registration.queued_at)
                    & (Registration.id < registration.id)
                ),
            )
        )
        return int(ahead or 0) + 1

    async def all(self) -> Sequence[Event]:
        rows = await self.session.scalars(
            select(Event).options(selectinload(Event.sessions)).order_by(Event.starts_at)
        )
        return rows.all()

    async def set_status(self, event_id: int, status: EventStatus) -> bool:
        changed = await affected(
            self.session,
            update(Event)
            .where(Event.id == event_id, Event.status != status)
            .values(status=status, updated_at=utcnow()),
        )
        return changed > 0

    async def reopen(self, event_id: int, now: datetime) -> bool:
        """Closed → published, only while it is closed and has not begun (a colleague's
        cancellation in between stays)."""
        changed = await affected(
            self.session,
            update(Event)
            .where(Event.id == event_id, Event.status == EventStatus.CLOSED, Event.starts_at > now)
            .values(status=EventStatus.PUBLISHED, updated_at=utcnow()),
        )
        return changed > 0

    async def counts(self, event_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        )
        return {status: n for status, n in rows.all()}

    # --- seats -----------------------------------------------------------------------------

    async def _lock_event(self, event_id: int) -> None:
        """Serialise seat changes of one event: a row lock on PostgreSQL, the write lock on
        SQLite. Without it two cancellations could promote the same waiting person, or a
        double tap on a full event could race to insert two rows. Like every first write on
        SQLite, it waits out a lock longer than one busy timeout (storage/busy.py)."""
        await self.session.execute(
            update(Event).where(Event.id == event_id).values(taken=Event.taken)
        )

    async def _take_seat(self, event_id: int, *, closed_too: bool = False) -> bool:
        # a new sign-up needs open registration; the waiting list, queued before it closed,
        # moves up into new seats all the same — as it does into a seat given back
        open_states = (
            (EventStatus.PUBLISHED, EventStatus.CLOSED) if closed_too else (EventStatus.PUBLISHED,)
        )
        changed = await affected(
            self.session,
            update(Event)
            .where(
                Event.id == event_id,
                Event.status.in_(open_states),
                Event.taken < Event.capacity,
            )
            .values(taken=Event.taken + 1),
        )
        return changed > 0

    async def _free_seat(self, event_id: int) -> None:
        await self.session.execute(
            update(Event)
            .where(Event.id == event_id, Event.taken > 0)
            .values(taken=Event.taken - 1)
        )

    async def registration(self, event_id: int, user_id: int) -> Registration | None:
        return await self.session.scalar(
            select(Registration).where(
                Registration.event_id == event_id, Registration.user_id == user_id
            )
        )

    async def register(self, event_id: int, user_id: int) -> SeatResult:
        """Take a seat or join the waiting list. The event lock is the first statement, so
        concurrent callers queue on it instead of failing."""
        await self._lock_event(event_id)
        took = await self._take_seat(event_id)
        existing = await self.registration(event_id, user_id)
        if existing is not None and existing.status in ACTIVE:
            if took:
                await self._free_seat(event_id)
            return SeatResult(existing, "already")
        event = await self.session.get(Event, event_id)
        if event is None or event.status != EventStatus.PUBLISHED:
            return SeatResult(
                existing
                or Registration(
                    event_id=event_id, user_id=user_id, status=RegistrationStatus.CANCELLED
                ),
                "closed",
            )
        status = RegistrationStatus.REGISTERED if took else RegistrationStatus.WAITING
        now = utcnow()
        if existing is None:
            existing = Registration(event_id=event_id, user_id=user_id, status=status)
            self.session.add(existing)
        existing.status, existing.queued_at, existing.updated_at = status, now, now
        existing.cancelled_late = False
        await self.session.flush()
        return SeatResult(existing, status.value)

    async def cancel(
        self, registration: Registration, now: datetime, *, promote: bool
    ) -> CancelResult:
        """Cancel; a freed seat goes to the first in the waiting list, who is returned —
        if `promote` (the service's rule, `rules.passes_on_seat`), else it stays free."""
        await self._lock_event(registration.event_id)
        await self.session.refresh(registration)  # the status may have moved before the lock
        previous = registration.status
        live = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)
        changed = await affected(
            self.session,
            update(Registration)
            .where(Registration.id == registration.id, Registration.status.in_(live))
            .values(status=RegistrationStatus.CANCELLED, updated_at=now),
        )
        if not changed:
            return CancelResult(False, False, None)
        event = await self.session.get(Event, registration.event_id)
        # late: a seat given back after the deadline; leaving the waiting list frees none
        deadline = event.registration_deadline if event is not None else None
        late = bool(previous == RegistrationStatus.REGISTERED and deadline and now > deadline)
        registration.status, registration.cancelled_late = RegistrationStatus.CANCELLED, late
        promoted = None
        # a seat of an event called off goes to nobody: «Вы записаны» would be false
        ahead = promote and event is not None and event.status != EventStatus.CANCELLED
        if previous == RegistrationStatus.REGISTERED:
            promoted = await self._promote_first(registration.event_id, now) if ahead else None
            if promoted is None:
                await self._free_seat(registration.event_id)
        await self.session.flush()
        return CancelResult(True, late, promoted, previous == RegistrationStatus.WAITING)

    async def leave(self, reg: Registration, now: datetime, pass_on: bool) -> Registration | None:
        """/forget_me amid a series: an attended seat (kept ATTENDED for the report) goes to
        the first in line, who is returned, if `pass_on`; else it is given back."""
        await self._lock_event(reg.event_id)
        await self.session.refresh(reg)
        if reg.status != RegistrationStatus.ATTENDED:
            return None
        promoted = await self._promote_first(reg.event_id, now) if pass_on else None
        if promoted is None:
            await self._free_seat(reg.event_id)
        await self.session.flush()
        return promoted

    async def fill_from_waiting(self, event_id: int, now: datetime) -> list[Registration]:
        """After capacity grows: move people up from the waiting list while seats are free.
        Not for an event called off (as `cancel`); whether there is still time to come (a
        series under way: its meetings ahead) is the caller's rule, rules.passes_on_seat."""
        await self._lock_event(event_id)
        promoted: list[Registration] = []
        event = await self.session.get(Event, event_id)
        if event is None or event.status == EventStatus.CANCELLED:
            return promoted
        while await self._take_seat(event_id, closed_too=True):
            registration = await self._promote_first(event_id, now)
            if registration is None:
                await self._free_seat(event_id)
                break
            promoted.append(registration)
        await self.session.flush()
        return promoted

    async def _promote_first(self, event_id: int, now: datetime) -> Registration | None:
        # not to someone who blocked the bot: never told of the seat, they would not come,
        # and the next in line, who can be told, would wait for a seat left empty
        first = await self.session.scalar(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.WAITING,
                User.is_active.is_(True),
            )
            .order_by(Registration.queued_at, Registration.id)
            .limit(1)
        )
        if first is None:
            return None
        changed = await affected(
            self.session,
            update(Registration)
            .where(Registration.id == first.id, Registration.status == RegistrationStatus.WAITING)
            .values(status=RegistrationStatus.REGISTERED, updated_at=now),
        )
        if not changed:
            return None
        first.status = RegistrationStatus.REGISTERED
        return first

    async def count_for_user(self, user_id: int) -> int:
        """Every registration row of the person, past and cancelled too (/my_data)."""
        count = await self.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.user_id == user_id)
        )
        return int(count or 0)

    async def for_user(self, user_id: int, now: datetime) -> Sequence[Registration]:
        """Active registrations with their events and sessions loaded: /forget_me hands the
        events on to notify_promoted, whose .ics reads the sessions (no lazy load in async)."""
        rows = await self.session.scalars(
            select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .options(joinedload(Registration.event).selectinload(Event.sessions))
            .where(
                Registration.user_id == user_id,
                Registration.status.in_(ACTIVE),
                Event.status != EventStatus.CANCELLED,
            )
            .order_by(Event.starts_at)
        )
        return rows.all()

    async def participants(self, event_id: int) -> Sequence[Registration]:
        """The people on the event (those who deleted their data are only in its numbers)."""
        rows = await self.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.user_id.is_not(None))
            .order_by(Registration.status, Registration.queued_at, Registration.id)
        )
        return rows.all()
