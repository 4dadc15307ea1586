"""Staff correct the time of a workshop meeting that has already taken place (it met on the 9th,
not the 8th) through the bot's «✏️ Изменить» → «Дата и время», typing every meeting as the card
shows them: the held meetings are accepted (they used to be refused as «уже прошло», so the
meeting could only be dropped, and its presence marks with it), the corrected meeting keeps
its marks — the participants' Excel shows them under the new date and /report counts the
visits — and a correction that changes nothing ahead is no news for the participants."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from storage.db import SessionMaker
from storage.models import RegistrationStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.helpers.events import register, registration_status, seed_teacher
from tests.test_e2e_moved_meetings import seed_workshop

WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FIRST)


async def seed(sm: SessionMaker) -> tuple[int, int]:
    """The teacher came to the 1st and the 2nd meeting."""
    event_id = await seed_workshop(sm, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(sm, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(sm, event_id, TEACHER)
    async with sm() as session:
        repo = Repositories(session)
        for at in (FIRST, FIRST + WEEK):
            assert await repo.events.mark_attended(reg_id, True, at + timedelta(minutes=10))
        await repo.commit()
    return event_id, reg_id


async def edit_dates(h: BotHarness, event_id: int, typed: str) -> str:
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Дата и время")
    return (await h.say(ADMIN, typed)).text


async def participants(h: BotHarness, event_id: int) -> list[Any]:
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:xlsx:{event_id}", user=ADMIN)
    sheet = await h.server.next_message(ADMIN.id)
    while sheet.document is None:  # the notice's delivery report may come first
        sheet = await h.server.next_message(ADMIN.id)
    book = load_workbook(io.BytesIO(sheet.document.data))
    return list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]


async def visits(h: BotHarness) -> int:
    sheet = await h.say(ADMIN, "/report 2026")
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(sheet.document.data))
    rows = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}
    return int(rows["Посещений занятий (отметок по встречам)"])


async def test_a_held_meeting_moved_keeps_its_marks_and_the_next_one_moves_too(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id, reg_id = await seed(h.sessionmaker)
    clock.set(FIRST + WEEK + timedelta(days=1))  # 9 December: two meetings held, one ahead

    said = await edit_dates(
        h, event_id, "02.12.2026 15:00, 08.12.2026 15:00, 22.12.2026 17:00"
    )  # the first met on the 2nd, really; the third moves to 17:00
    assert "Сохранено" in said, said
    notice = await h.server.next_message(TEACHER.id, timeout=10)  # the meeting ahead moved
    assert "Изменилось время" in notice.text and "17:00" in notice.text

    rows = await participants(h, event_id)
    assert list(rows[1][-4:]) == [
        "Встреча 1 (02.12)", "Встреча 2 (08.12)", "Встреча 3 (22.12)", "Посещено встреч",
    ]  # fmt: skip
    assert rows[2][1] == "Сидоров Пётр Ильич" and list(rows[2][-4:]) == ["да", "да", None, 2]
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED
    assert await visits(h) == 2


async def test_correcting_a_past_series_keeps_its_marks_and_tells_nobody(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id, _ = await seed(h.sessionmaker)
    clock.set(FIRST + 3 * WEEK)  # all three met

    said = await edit_dates(h, event_id, "01.12.2026 15:00, 08.12.2026 16:00, 15.12.2026 15:00")
    assert "Сохранено" in said, said
    rows = await participants(h, event_id)
    assert list(rows[1][-4:-1]) == [
        "Встреча 1 (01.12)", "Встреча 2 (08.12)", "Встреча 3 (15.12)",
    ]  # fmt: skip
    assert list(rows[2][-4:]) == ["да", "да", None, 2]  # the second's tick moved with it
    assert await visits(h) == 2
    await asyncio.sleep(1)
    assert [m.text for m in h.server.drain(TEACHER.id)] == []  # a correction is no news


async def test_more_past_times_than_meetings_held_is_still_refused(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id, _ = await seed(h.sessionmaker)
    clock.set(FIRST + WEEK + timedelta(days=1))  # two meetings held
    said = await edit_dates(h, event_id, "01.12.2026 15:00, 08.12.2026 15:00, 08.12.2026 18:00")
    assert "уже прошло (08.12.2026 18:00)" in said
    rows = await participants(h, event_id)
    assert rows[1][-2] == "Встреча 3 (15.12)" and list(rows[2][-4:]) == ["да", "да", None, 2]


async def test_leaving_a_held_meeting_out_is_refused_and_keeps_its_marks(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """Typing only the meetings ahead (as if the list were of what is left) used to delete the
    held first meeting and the teacher's mark at it without a word."""
    h = harness
    event_id, _ = await seed(h.sessionmaker)
    clock.set(FIRST + WEEK + timedelta(days=1))  # 9 December: two meetings held, one ahead

    said = await edit_dates(h, event_id, "08.12.2026 15:00, 22.12.2026 17:00")
    assert "Прошедшее занятие нельзя убрать" in said, said
    assert "01.12.2026 15:00" in said  # the one left out is named
    assert "Сохранено" not in said
    rows = await participants(h, event_id)
    assert list(rows[1][-4:]) == [
        "Встреча 1 (01.12)", "Встреча 2 (08.12)", "Встреча 3 (15.12)", "Посещено встреч",
    ]  # fmt: skip
    assert list(rows[2][-4:]) == ["да", "да", None, 2]
    assert await visits(h) == 2
