"""Numbers for the МОЦ's activity report over a period: events, registrations, attendance.

The period holds what met within it (storage.repositories.report_scope): meetings and visits in
the period each took place in, an event in every period where it had a meeting (cancelled
events are left out), its registrations with it. Counting is done in Python over one row per
registration: a МОЦ has thousands of rows, not millions, and months must follow the МОЦ's time
zone, which SQLite cannot compute.

A registration counts unless it was cancelled (the waiting list included, shown separately).
A participant is a person with a seat (registered or attended): one only on a waiting list
took part in nothing, so «участников» (in total, by messenger, by organisation) leaves them out.
A teacher who uses both messengers has a profile in each (nothing links the two accounts); the
same ФИО and contact in both is one person, so the total and the organisations count them once
(by messenger they are one in each). A person who used /forget_me is still counted, as nobody
(storage.repositories.report_rows). An organisation is one whatever the case, quotes or
spaces it was typed with, and is named as in the МОЦ's list when it is there.
Attended = ticked present at a meeting of the period. Attendance rate = attended / seats taken
(registered + attended) at events already over: a period that runs on (the academic year,
mid-year) holds seats of events still ahead, and nobody can have attended those yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    SEATED,
    Event,
    EventSession,
    Organisation,
    Registration,
    SessionMark,
    TeacherProfile,
)
from storage.models import RegistrationStatus as St
from storage.repositories.activity import ActivityStats
from storage.repositories.report_events import EventStats, event_rows
from storage.repositories.report_rows import NO_ORGANISATION, Row, kept_people
from storage.repositories.report_scope import came_in, events_in, meetings_in

_QUOTES = frozenset("«»\"“”„'`")


@dataclass(frozen=True)
class KindStats:
    kind: str
    events: int
    sessions: int
    registrations: int
    attended: int


@dataclass(frozen=True)
class MonthStats:
    year: int
    month: int
    registrations: int


@dataclass(frozen=True)
class HeldMonth:
    """What was held in one local month: events by their first meeting, meetings each by its
    own day, seats and presence marks at those meetings."""

    year: int
    month: int
    events: int
    sessions: int
    visits: int  # presence marks at this month's meetings (a series: one per meeting)


@dataclass(frozen=True)
class ChannelStats:
    channel: str  # "tg", "max": the messenger the teacher registered from
    registrations: int
    participants: int
    attended: int


@dataclass(frozen=True)
class ReportTotals:
    events: int
    sessions: int
    registrations: int  # not cancelled: registered + waiting + attended
    waiting: int
    cancelled: int
    cancelled_late: int
    unique_participants: int  # people with a seat (registered or attended), not only waiting
    attended: int
    attendance_rate: float  # 0..1; attended / (registered + attended), events already over
    planned: int = 0  # events whose (last) meeting of the period is still ahead: not held
    visits: int = 0  # presence marks: a teacher at three meetings of a series is three
    people_attended: int = 0  # people ticked present at least once (a person once, as above)
    organisations_attended: int = 0  # named organisations of those people


@dataclass(frozen=True)
class ReportData:
    start: datetime
    end: datetime
    totals: ReportTotals
    by_kind: tuple[KindStats, ...]
    by_organisation: tuple[tuple[str, int], ...]  # participants (with a seat), most first
    by_month: tuple[MonthStats, ...]  # registrations by the month they were made, no gaps
    by_channel: tuple[ChannelStats, ...] = field(default=())  # Telegram first, then MAX
    held: tuple[HeldMonth, ...] = field(default=())  # months of the period, none skipped
    activity: ActivityStats | None = None  # questions, tickets, broadcasts (period.report_data)
    by_event: tuple[EventStats, ...] = field(default=())  # in the order they were held


@dataclass(frozen=True)
class _Reg:
    event_id: int
    channel: str  # "tg", "max": where they registered from
    status: str
    created_at: datetime
    cancelled_late: bool
    organisation: str
    person: tuple[str, ...]  # who this is across messengers: see `_person`
    came: bool = False  # ticked present at a meeting of the period (report_scope.came_in)


def _participants(regs: list[_Reg]) -> set[tuple[str, ...]]:
    """Who had a seat; a turn in a waiting list that never came is no participation."""
    return {r.person for r in regs if r.status in SEATED}


class ReportRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def collect(
        self, start: datetime, end: datetime, *, tz: ZoneInfo, now: datetime | None = None
    ) -> ReportData:
        """What met with start <= moment < end (UTC bounds); months counted in `tz`; the
        attendance rate over events over by `now` (None: all of them)."""
        meetings, marks = await self._meetings(start, end)
        found = await self._events(start, end, meetings)
        kinds = {event_id: kind for event_id, (kind, _) in found.items()}
        ahead = _ahead(found, meetings, now)  # planned: not reported as held
        events = {event_id: kind for event_id, kind in kinds.items() if event_id not in ahead}
        met = [(e, moment) for e, moment in meetings if now is None or moment <= now]
        sessions = Counter(event_id for event_id, _ in met)
        over = await self._over(start, end, now)
        regs = await self._registrations(start, end)
        active = [r for r in regs if r.status != St.CANCELLED]
        starts = [moment for _, moment in met]
        totals = _totals(events, sessions, regs, over)
        return ReportData(
            start=start,
            end=end,
            totals=replace(totals, visits=len(marks), planned=len(ahead)),
            by_kind=_by_kind(kinds, events, sessions, active),
            by_organisation=_by_organisation(active, await self._known_organisations()),
            by_month=_by_month(active, tz),
            by_channel=_by_channel(active),
            held=_held(_months(start, end, tz), tz, _only(found, events), starts, marks),
            by_event=await event_rows(self.session, start, end, tz, now),
        )

    async def _events(
        self, start: datetime, end: datetime, meetings: list[tuple[int, datetime]]
    ) -> dict[int, tuple[str, datetime]]:
        """Event id → its kind and its first meeting within the period."""
        first: dict[int, datetime] = {}
        for event_id, moment in meetings:
            first[event_id] = min(first.get(event_id, moment), moment)
        rows = await self.session.execute(
            select(Event.id, Event.kind, Event.starts_at).where(*events_in(start, end))
        )
        return {e: (kind, first.get(e, starts)) for e, kind, starts in rows.all()}

    async def _known_organisations(self) -> list[str]:
        """The МОЦ's list (the profile's buttons): its spelling names a school in the report."""
        return list((await self.session.scalars(select(Organisation.name))).all())

    async def _meetings(
        self, start: datetime, end: datetime
    ) -> tuple[list[tuple[int, datetime]], list[datetime]]:
        """(event, start) of each meeting within the period, and the meeting of each presence
        mark there (a mark of a registration cancelled since does not count)."""
        meetings = await self.session.execute(
            select(EventSession.event_id, EventSession.starts_at)
            .join(Event, Event.id == EventSession.event_id)
            .where(*events_in(start, end), *meetings_in(start, end))
        )
        marks = await self.session.scalars(
            select(EventSession.starts_at)
            .join(SessionMark, SessionMark.session_id == EventSession.id)
            .join(Registration, Registration.id == SessionMark.registration_id)
            .join(Event, Event.id == EventSession.event_id)
            .where(
                *events_in(start, end), *meetings_in(start, end),
                Registration.status != St.CANCELLED,
            )
        )  # fmt: skip
        return [(e, moment) for e, moment in meetings.all()], list(marks.all())

    async def _over(self, start: datetime, end: datetime, now: datetime | None) -> set[int]:
        """The period's events whose last meeting (in any period) has ended by `now`."""
        rows = await self.session.execute(
            select(EventSession.event_id, EventSession.starts_at, EventSession.duration_min)
            .join(Event, Event.id == EventSession.event_id)
            .where(*events_in(start, end))
        )
        ends: dict[int, datetime] = {}
        for event_id, starts_at, minutes in rows:
            finish = starts_at + timedelta(minutes=minutes)
            ends[event_id] = max(ends.get(event_id, finish), finish)
        return {event_id for event_id, finish in ends.items() if now is None or finish <= now}

    async def _registrations(self, start: datetime, end: datetime) -> list[_Reg]:
        rows = await self.session.execute(
            select(
                Registration.id,
                Registration.event_id,
                Registration.user_id,
                Registration.status,
                Registration.created_at,
                Registration.cancelled_late,
                TeacherProfile.organisation,
                TeacherProfile.full_name,
                TeacherProfile.contact,
                Registration.anon_channel,
                Registration.anon_person,
            )
            .join(Event, Event.id == Registration.event_id)
            .outerjoin(TeacherProfile, TeacherProfile.user_id == Registration.user_id)
            .where(*events_in(start, end))
        )
        came = await came_in(self.session, start, end)
        found = [Row(*row) for row in rows]
        numbers = {r.anon_person for r in found if r.user_id is None and r.anon_person}
        kept = await kept_people(self.session, numbers)
        return [_Reg(*r.fields(kept), came=r.id in came) for r in found]


def _totals(
    events: dict[int, str], sessions: dict[int, int], regs: list[_Reg], over: set[int]
) -> ReportTotals:
    statuses = Counter(r.status for r in regs)
    held = Counter(r.status for r in regs if r.event_id in over)
    seats = held[St.REGISTERED] + held[St.ATTENDED]
    active = [r for r in regs if r.status != St.CANCELLED]
    came = [r for r in regs if r.came]
    return ReportTotals(
        events=len(events),
        sessions=sum(sessions.values()),
        registrations=len(active),
        waiting=statuses[St.WAITING],
        cancelled=statuses[St.CANCELLED],
        cancelled_late=sum(1 for r in regs if r.status == St.CANCELLED and r.cancelled_late),
        unique_participants=len(_participants(regs)),
        attended=len(came),
        attendance_rate=sum(1 for r in came if r.event_id in over) / seats if seats else 0.0,
        people_attended=len({r.person for r in came}),
        organisations_attended=len(
            {_org_key(r.organisation) for r in came if r.organisation != NO_ORGANISATION}
        ),
    )


def _ahead(
    found: dict[int, tuple[str, datetime]],
    meetings: list[tuple[int, datetime]],
    now: datetime | None,
) -> set[int]:
    """Events whose last meeting within the period (none: their start) begins after `now`:
    planned, not held (a deputy director must not report them as held)."""
    if now is None:
        return set()
    last = {event_id: starts for event_id, (_, starts) in found.items()}
    for event_id, moment in meetings:
        last[event_id] = max(last[event_id], moment) if event_id in last else moment
    return {event_id for event_id, moment in last.items() if moment > now}


def _only(found: dict[int, tuple[str, datetime]], keep: dict[int, str]) -> dict[int, Any]:
    return {event_id: value for event_id, value in found.items() if event_id in keep}


def _by_kind(
    kinds: dict[int, str], events: dict[int, str], sessions: dict[int, int], active: list[_Reg]
) -> tuple[KindStats, ...]:
    """`kinds`: every event of the period; `events`: those held (counted as events)."""
    regs = Counter(kinds[r.event_id] for r in active if r.event_id in kinds)
    attended = Counter(kinds[r.event_id] for r in active if r.came and r.event_id in kinds)
    met: Counter[str] = Counter()
    for event_id, n in sessions.items():
        met[kinds.get(event_id, "")] += n
    held = Counter(events.values())
    shown = sorted(k for k in set(kinds.values()) if held[k] or met[k] or regs[k])
    return tuple(
        KindStats(kind, held[kind], met[kind], regs[kind], attended[kind]) for kind in shown
    )


def _by_channel(active: list[_Reg]) -> tuple[ChannelStats, ...]:
    """Telegram and MAX always, zeros included: the report says a channel was not used."""
    out = []
    for channel in ("tg", "max"):
        mine = [r for r in active if r.channel == channel]
        attended = sum(1 for r in mine if r.came)
        out.append(ChannelStats(channel, len(mine), len(_participants(mine)), attended))
    return tuple(out)


def _org_key(name: str) -> str:
    """One school however it was typed: «мбоу сош № 2» on a phone and «МБОУ СОШ № 2» from the
    list, «СОШ №2» and «СОШ № 2», «ДДТ "Радуга"» and «ДДТ «Радуга»», a double space."""
    folded = name.casefold().replace("ё", "е")
    folded = "".join(" " if c in _QUOTES else c for c in folded)
    return " ".join(folded.replace("№", " № ").split()).replace("№ ", "№")


def _by_organisation(active: list[_Reg], known: list[str]) -> tuple[tuple[str, int], ...]:
    """Participants by organisation, spelled as in the МОЦ's list, or else as most of its
    teachers spelled it."""
    seated = [r for r in active if r.status in SEATED]
    spellings: dict[str, Counter[str]] = {}
    for r in seated:
        spellings.setdefault(_org_key(r.organisation), Counter())[r.organisation] += 1
    people = {(_org_key(r.organisation), r.person) for r in seated}
    counts = Counter(key for key, _ in people)
    listed = {_org_key(name): name for name in known}
    named = {
        key: listed.get(key) or min(spelled, key=lambda name: (-spelled[name], name))
        for key, spelled in spellings.items()
    }
    rows = ((named[key], n) for key, n in counts.items())
    return tuple(sorted(rows, key=lambda item: (-item[1], item[0])))


def _by_month(active: list[_Reg], tz: ZoneInfo) -> tuple[MonthStats, ...]:
    counts = Counter(
        (local.year, local.month) for local in (r.created_at.astimezone(tz) for r in active)
    )
    if not counts:
        return ()
    (year, month), last = min(counts), max(counts)
    months: list[MonthStats] = []
    while (year, month) <= last:
        months.append(MonthStats(year, month, counts[(year, month)]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def _months(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[int, int]]:
    """The local months from `start` to the one holding the last moment before `end`."""
    first = start.astimezone(tz)
    last = (end - timedelta(microseconds=1)).astimezone(tz)
    year, month, out = first.year, first.month, []
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _held(
    months: list[tuple[int, int]],
    tz: ZoneInfo,
    events: dict[int, tuple[str, datetime]],
    meetings: list[datetime],
    marks: list[datetime],
) -> tuple[HeldMonth, ...]:
    """Every month of the period: events by their first meeting within it, meetings and
    visits by their own day."""

    def local(moments: list[datetime]) -> Counter[tuple[int, int]]:
        return Counter((m.astimezone(tz).year, m.astimezone(tz).month) for m in moments)

    started = local([starts for _, starts in events.values()])
    met, came = local(meetings), local(marks)
    return tuple(
        HeldMonth(year, month, started[(year, month)], met[(year, month)], came[(year, month)])
        for year, month in months
    )
