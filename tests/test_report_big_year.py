"""A regional МОЦ's year is big: a webinar series with thousands of teachers at each meeting.
On PostgreSQL (the regional setup) /report failed once more than 32 767 registrations were
ticked present in the period — their ids went into one statement as bound values, over the
limit of the driver — and the methodist got «что-то пошло не так» instead of the workbook."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import insert

from bot.services.reports.period import period_report
from storage.db import create_engine, create_sessionmaker
from storage.models import Event, EventSession, Registration, SessionMark, User
from storage.repositories import Repositories
from tests.conftest import make_settings

CAME = 33_000  # more than PostgreSQL's 32 767 arguments of one statement
WEBINARS = 11
HELD = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


async def test_a_year_with_more_people_present_than_a_statement_holds(
    sqlite_or_pg_url: str,
) -> None:
    settings = make_settings(Path("unused.db"), database_url=sqlite_or_pg_url)
    engine = create_engine(sqlite_or_pg_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as s:
            await s.execute(
                insert(User), [{"id": 10_000 + n, "first_name": "П"} for n in range(CAME)]
            )
            starts = [HELD + timedelta(days=7 * n) for n in range(WEBINARS)]
            await s.execute(
                insert(Event),
                [
                    {"id": n + 1, "title": f"Вебинар {n + 1}", "kind": "webinar", "starts_at": at,
                     "capacity": 5000, "status": "published"}
                    for n, at in enumerate(starts)
                ],
            )  # fmt: skip
            await s.execute(
                insert(EventSession),
                [{"id": n + 1, "event_id": n + 1, "starts_at": at} for n, at in enumerate(starts)],
            )
            webinar = [n % WEBINARS + 1 for n in range(CAME)]
            await s.execute(
                insert(Registration),
                [
                    {"id": n + 1, "event_id": webinar[n], "user_id": 10_000 + n,
                     "status": "attended", "created_at": HELD - timedelta(days=3)}
                    for n in range(CAME)
                ],
            )  # fmt: skip
            await s.execute(
                insert(SessionMark),
                [{"registration_id": n + 1, "session_id": webinar[n]} for n in range(CAME)],
            )
            await s.commit()
        async with sessionmaker() as s:
            made = await period_report(
                Repositories(s), settings, "2026", datetime(2026, 12, 7, tzinfo=UTC)
            )
    finally:
        await engine.dispose()
    assert not isinstance(made, str), made
    assert f"мероприятий {WEBINARS}, записей {CAME}, участников {CAME}" in made.caption
    assert f"присутствовали {CAME}" in made.caption
    events = load_workbook(io.BytesIO(made.file.data))["Мероприятия"]
    present = [row[5] for row in events.iter_rows(min_row=2, values_only=True)]
    assert len(present) == WEBINARS and sum(present) == CAME  # adds up to the caption
