"""The period report counts what a municipality asks for, on a database built by the migrations.

Edge cases that bite in real reports: cancelled events, events just outside the period in the
МОЦ's time zone, cancelled and waiting registrations, teachers without a profile, and months
that start at local midnight rather than UTC midnight.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ids import internal
from bot.services.reports.yearly import build_report_xlsx, channel_summary
from storage.db import create_engine, create_sessionmaker
from storage.models import Event, EventStatus, Registration, TeacherProfile, User
from storage.repositories.events import EventRepo
from storage.repositories.reports import (
    ChannelStats,
    KindStats,
    MonthStats,
    ReportData,
    ReportRepo,
)

MOSCOW = ZoneInfo("Europe/Moscow")
START = datetime(2027, 2, 28, 21, 0, tzinfo=UTC)  # 2027-03-01 00:00 in Moscow
END = datetime(2027, 4, 30, 21, 0, tzinfo=UTC)  # 2027-05-01 00:00 in Moscow


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    async with create_sessionmaker(engine)() as s:
        yield s
    await engine.dispose()


async def _event(repo: EventRepo, kind: str, *starts: datetime, capacity: int = 10) -> int:
    event = Event(
        title=f"{kind} {starts[0]:%d.%m}", kind=kind, starts_at=starts[0], capacity=capacity
    )
    await repo.add(event, starts)
    return event.id


async def _people(session: AsyncSession) -> None:
    """Users 1..5; 4 has no profile, 5 left the organisation empty."""
    orgs = {1: "МБУ ДО «ДДТ»", 2: "МБУ ДО «ДДТ»", 3: "=СОШ № 5", 5: " "}
    session.add_all(User(id=i, first_name=f"Педагог {i}") for i in range(1, 6))
    await session.flush()
    session.add_all(
        TeacherProfile(user_id=i, full_name=f"П{i}", organisation=o, position="", contact="")
        for i, o in orgs.items()
    )


async def _register(repo: EventRepo, event_id: int, user_id: int, created: datetime) -> None:
    result = await repo.register(event_id, user_id)
    await repo.session.execute(
        update(Registration)
        .where(Registration.id == result.registration.id)
        .values(created_at=created)
    )


async def _seed(session: AsyncSession) -> None:
    await _people(session)
    repo = EventRepo(session)
    seminar = await _event(repo, "seminar", utc(2027, 3, 15, 7), capacity=2)
    workshop = await _event(
        repo, "workshop", utc(2027, 4, 1, 12), utc(2027, 4, 8, 12), utc(2027, 4, 15, 12)
    )
    await _event(repo, "round_table", utc(2027, 4, 30, 20, 59))  # 23:59 in Moscow: inside
    await _event(repo, "seminar", utc(2027, 4, 30, 21))  # 00:00 on 1 May in Moscow: outside
    cancelled = await _event(repo, "seminar", utc(2027, 3, 20, 7))
    later = await _event(repo, "seminar", utc(2027, 6, 1, 7))
    made = {
        (seminar, 1): utc(2027, 1, 31, 21, 30),  # 1 February in Moscow
        (seminar, 2): utc(2027, 2, 10), (seminar, 3): utc(2027, 3, 1),
        (workshop, 1): utc(2027, 3, 20), (workshop, 5): utc(2026, 12, 15),
        (workshop, 4): utc(2027, 3, 1), (cancelled, 2): utc(2027, 3, 1),
        (later, 1): utc(2027, 3, 1),
    }  # fmt: skip
    for (event_id, user_id), created in made.items():
        await _register(repo, event_id, user_id, created)
    first = await repo.registration(seminar, 1)
    leaver = await repo.registration(workshop, 4)
    assert first is not None and leaver is not None
    assert await repo.mark_attended(first.id, True)
    assert (await repo.cancel(leaver, utc(2027, 3, 2), promote=True)).cancelled
    await repo.set_status(cancelled, EventStatus.CANCELLED)
    await session.commit()


@pytest.fixture
async def report(session: AsyncSession) -> ReportData:
    await _seed(session)
    return await ReportRepo(session).collect(START, END, tz=MOSCOW)


def test_totals(report: ReportData) -> None:
    t = report.totals
    assert (t.events, t.sessions) == (3, 5)
    assert (t.registrations, t.waiting, t.cancelled, t.cancelled_late) == (5, 1, 1, 0)
    assert (t.unique_participants, t.attended) == (3, 1)  # 3 was only on a waiting list
    assert t.attendance_rate == pytest.approx(0.25)  # 1 of 4 seats taken
    assert (t.people_attended, t.organisations_attended) == (1, 1)  # user 1 of «ДДТ»


def test_by_kind_organisation_and_month(report: ReportData) -> None:
    assert report.by_kind == (
        KindStats("round_table", 1, 1, 0, 0),
        KindStats("seminar", 1, 1, 3, 1),
        KindStats("workshop", 1, 3, 2, 0),
    )
    assert report.by_organisation == (("МБУ ДО «ДДТ»", 2), ("не указана", 1))
    assert report.by_month == (
        MonthStats(2026, 12, 1), MonthStats(2027, 1, 0), MonthStats(2027, 2, 2),
        MonthStats(2027, 3, 2),
    )  # fmt: skip


def test_workbook_has_its_sheets_and_a_chart(report: ReportData) -> None:
    data = build_report_xlsx(report, date(2027, 3, 1), date(2027, 4, 30), "МОЦ г. Примерска")
    book = load_workbook(io.BytesIO(data))
    sheets = ["Сводка", "По видам", "По организациям", "По месяцам", "Проведено", "Мероприятия"]
    assert book.sheetnames == sheets  # «Вопросы и рассылки» only when counted
    summary = book["Сводка"]
    assert summary["A1"].value == "МОЦ г. Примерска"
    assert "с 01.03.2027 по 30.04.2027" in str(summary["A2"].value)
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    assert values["Мероприятий"] == 3 and values["Уникальных участников"] == 3
    kinds = [row[0] for row in book["По видам"].iter_rows(min_row=2, values_only=True)]
    assert kinds == ["Круглый стол", "Семинар", "Педагогическая мастерская", "Итого"]
    orgs = [row[0] for row in book["По организациям"].iter_rows(min_row=2, values_only=True)]
    assert orgs == ["МБУ ДО «ДДТ»", "не указана"]  # «=СОШ № 5» only waited: see below
    months = list(book["По месяцам"].iter_rows(min_row=2, values_only=True))
    assert months[0] == ("декабрь 2026", 1) and len(months) == 4
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        assert b"barChart" in archive.read(charts[0])


def test_held_by_month_and_quarter(report: ReportData) -> None:
    """What a yearly form asks by month and quarter: events by their first meeting, each
    meeting in its own month, presence marks per meeting. The seed: a seminar on 15 March
    (one teacher ticked present), a three-meeting workshop in April, a round table at 23:59
    on 30 April in Moscow; the seminar called off and the one at 00:00 on 1 May left out."""
    assert report.totals.visits == 1
    assert [(m.month, m.events, m.sessions, m.visits) for m in report.held] == [
        (3, 1, 1, 1), (4, 2, 4, 0),
    ]  # fmt: skip
    data = build_report_xlsx(report, date(2027, 3, 1), date(2027, 4, 30), "МОЦ")
    rows = list(load_workbook(io.BytesIO(data))["Проведено"].iter_rows(values_only=True))
    assert rows[1:3] == [("март 2027", 1, 1, 1), ("апрель 2027", 2, 4, 0)]
    assert rows[-3:] == [
        ("I квартал 2027", 1, 1, 1), ("II квартал 2027", 2, 4, 0), ("Итого", 3, 5, 1),
    ]  # fmt: skip
    events = list(load_workbook(io.BytesIO(data))["Мероприятия"].iter_rows(values_only=True))
    assert events[1:] == [  # local dates as dates; seats, came, marks, documents
        (datetime(2027, 3, 15, 10, 0), "seminar 15.03", "Семинар", 1, 2, 1, 1, 0),
        (datetime(2027, 4, 1, 15), "workshop 01.04", "Педагогическая мастерская", 3, 2, 0, 0, 0),
        (datetime(2027, 4, 30, 23, 59), "round_table 30.04", "Круглый стол", 1, 0, 0, 0, 0),
    ]  # 3 waited, 4 left


async def test_empty_period(session: AsyncSession) -> None:
    empty = await ReportRepo(session).collect(START, END, tz=MOSCOW)
    assert empty.totals.events == 0 and empty.totals.attendance_rate == 0.0
    assert empty.by_month == () and empty.by_kind == ()
    build_report_xlsx(empty, date(2027, 3, 1), date(2027, 4, 30), "МОЦ")


async def test_counts_per_messenger(session: AsyncSession) -> None:
    """Issue 11: the report says how many teachers came through Telegram and through MAX."""
    await _seed(session)
    in_max = internal(1, "user")  # a teacher who registered in MAX
    session.add(User(id=in_max, first_name="Педагог в MAX"))
    await session.flush()
    repo = EventRepo(session)
    event_id = await _event(repo, "workshop", utc(2027, 4, 20, 12))
    await _register(repo, event_id, in_max, utc(2027, 4, 1))
    await session.commit()

    report = await ReportRepo(session).collect(START, END, tz=MOSCOW)
    assert report.by_channel == (ChannelStats("tg", 5, 3, 1), ChannelStats("max", 1, 1, 0))
    assert report.totals.unique_participants == 4
    assert channel_summary(report) == (
        "Telegram: записей 5, участников 3; MAX: записей 1, участников 1"
    )
    book = load_workbook(
        io.BytesIO(build_report_xlsx(report, date(2027, 3, 1), date(2027, 4, 30), "МОЦ"))
    )
    rows = list(book["Сводка"].iter_rows(min_row=4, values_only=True))
    head = rows.index(("По мессенджерам", "Записей", "Участников", "Присутствовали"))
    assert rows[head + 1 : head + 3] == [("Telegram", 5, 3, 1), ("MAX", 1, 1, 0)]


async def test_a_teacher_only_on_a_waiting_list_is_no_participant(session: AsyncSession) -> None:
    """«Уникальных участников» counts people with a seat: one whose turn never came took
    part in nothing; their waiting registration still shows under «в листе ожидания»."""
    await _people(session)
    repo = EventRepo(session)
    full = await _event(repo, "seminar", utc(2027, 3, 15, 7), capacity=1)
    await _register(repo, full, 3, utc(2027, 3, 1))
    await _register(repo, full, 2, utc(2027, 3, 2))  # waits, never gets the seat
    await session.commit()

    report = await ReportRepo(session).collect(START, END, tz=MOSCOW)
    assert (report.totals.registrations, report.totals.waiting) == (2, 1)
    assert report.totals.unique_participants == 1
    assert report.by_organisation == (("=СОШ № 5", 1),)
    assert report.by_channel[0] == ChannelStats("tg", 2, 1, 0)
    book = load_workbook(
        io.BytesIO(build_report_xlsx(report, date(2027, 3, 1), date(2027, 4, 30), "МОЦ"))
    )
    values = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row[0]}
    assert values["Уникальных участников"] == 1
    orgs = list(book["По организациям"].iter_rows(min_row=2, values_only=True))
    assert orgs == [("'=СОШ № 5", 1)]  # a formula-looking name stays text
