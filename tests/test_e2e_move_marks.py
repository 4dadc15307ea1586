"""/move merges a teacher's two registrations for the same workshop into one — and the
presence marks of the one given up used to go with it. A teacher registered from Telegram
came to the first meeting, registered again from MAX and came to the second; after moving
Telegram to MAX the methodist's /report counted one visit instead of two."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from storage.db import SessionMaker
from storage.models import Event, EventStatus, Registration, RegistrationStatus, SessionMark
from storage.repositories import Repositories
from tests.conftest import ADMIN
from tests.helpers.max_both import Both, seed_max_teacher
from tests.test_e2e_move import (
    ANNA_MAX,
    ANNA_TG,
    code_in_telegram,
    seed_tg_teacher_with_consent,
    tg_say,
)

WEEK = timedelta(days=7)
FIRST = datetime.now(UTC).replace(microsecond=0) - 3 * WEEK  # both meetings held
VISITS = "Посещений занятий (отметок по встречам)"


async def seed_workshop(sm: SessionMaker) -> int:
    async with sm() as session:
        repo = Repositories(session)
        event = Event(
            title="Практикум «Робототехника»", kind="workshop", starts_at=FIRST,
            duration_min=90, format="offline", place="ул. Ленина, 1", capacity=10,
            taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(event, [FIRST, FIRST + WEEK])
        await repo.commit()
        return event.id


async def registered_and_came(sm: SessionMaker, event_id: int, uid: int, at: datetime) -> None:
    async with sm() as session:
        repo = Repositories(session)
        reg = (await repo.events.register(event_id, uid)).registration
        await repo.commit()
        assert await repo.events.mark_attended(reg.id, True, at + timedelta(minutes=10))
        await repo.commit()


async def report(h: Both) -> dict[Any, Any]:
    tz = h.settings.tz  # the days of the МОЦ's zone: after 21:00 UTC Moscow is a day ahead
    period = f"{FIRST.astimezone(tz):%d.%m.%Y} {(FIRST + WEEK).astimezone(tz):%d.%m.%Y}"
    sheet = await tg_say(h, ADMIN, f"/report {period}")
    assert sheet.document is not None, sheet.text
    book = load_workbook(io.BytesIO(sheet.document.data))
    return {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}


async def test_the_marks_of_both_accounts_stay_after_move(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    uid = await seed_max_teacher(h.sessionmaker, ANNA_MAX)
    event_id = await seed_workshop(h.sessionmaker)
    await registered_and_came(h.sessionmaker, event_id, ANNA_TG.id, FIRST)
    await registered_and_came(h.sessionmaker, event_id, uid, FIRST + WEEK)
    assert (await report(h))[VISITS] == 2

    code = await code_in_telegram(h)
    await h.start(ANNA_MAX)
    done = await h.say(ANNA_MAX, "/move " + code)
    assert "Перенесено: профиль" in done.plain

    assert (await report(h))[VISITS] == 2
    async with h.sessionmaker() as session:
        (kept,) = (await session.scalars(select(Registration))).all()
        marks = (await session.scalars(select(SessionMark))).all()
    assert (kept.user_id, kept.status) == (uid, RegistrationStatus.ATTENDED)
    assert [m.registration_id for m in marks] == [kept.id, kept.id]
