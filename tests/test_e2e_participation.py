"""Attendance and the participation confirmation, through the real bot on a frozen clock:
nothing can be ticked before the event starts, the confirmation comes only after it ends, and
it is a DOCX for the аттестация portfolio (МОЦ, ФИО, the event, date, hours «1,5 ч»)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document

from bot import texts
from bot.core.clock import FrozenClock
from bot.texts.events import BTN_PROOF
from storage.models import RegistrationStatus
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.events import register, registration_status, seed_event, seed_teacher

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, 90 minutes


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def alert(h: BotHarness, message: SentMessage, data: str, user: FakeUser) -> str:
    """Press (forged or real) button data; the text of the answer to this very press."""
    update = h.server.press_data(message, data, user=user)
    query_id = update["callback_query"]["id"]
    answer = await h.server.wait_for(
        "answerCallbackQuery", lambda call: call.params.get("callback_query_id") == query_id
    )
    return str(answer.params.get("text") or "")


async def test_attendance_after_the_start_and_the_document_after_the_end(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=START, duration_min=90)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич", "МБУ ДО «ДДТ»")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)

    anchor = await h.say(ADMIN, "/help")  # 05.12: the event is on 08.12
    refused = await alert(h, anchor, f"eva:attend:{event_id}", ADMIN)
    assert "после начала" in refused and "08.12.2026 15:00" in refused
    assert "после начала" in await alert(h, anchor, f"att:{reg_id}:0", ADMIN)  # old buttons
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.REGISTERED
    mine = await h.say(TEACHER, texts.BTN_MY_EVENTS)
    assert "участвовали" not in mine.text
    assert "после" in await alert(h, mine, f"ev:proof:{event_id}", TEACHER)

    clock.set(START + timedelta(minutes=10))  # the seminar has begun: staff tick
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED
    early = await alert(h, mine, f"ev:proof:{event_id}", TEACHER)
    assert "после окончания" in early and "16:30" in early
    assert not [m for m in h.server.sent_to(TEACHER.id) if m.document is not None]

    clock.set(START + timedelta(minutes=95))  # it has ended
    mine = await h.say(TEACHER, texts.BTN_MY_EVENTS)
    assert "участвовали ✅" in mine.text
    h.server.press(mine, mine.inline_texts[0], user=TEACHER)
    await h.server.idle()
    card = h.server.messages[(TEACHER.id, mine.message_id)]
    h.server.press(card, BTN_PROOF, user=TEACHER)
    proof = await h.server.next_message(TEACHER.id)
    assert "Сидоров Пётр Ильич" in proof.text and "1,5 ч" in proof.text
    assert "1.5" not in proof.text
    document = await h.server.next_message(TEACHER.id)
    assert document.document is not None and document.document.filename.endswith(".docx")
    assert document.document.filename.startswith("podtverzhdenie-seminar-nastavnichestvo-")
    assert "Подтверждение участия" in document.text and "«Наставничество»" in document.text
    assert "8 декабря 2026" in document.text
    docx = Document(io.BytesIO(document.document.data))
    words = "\n".join(p.text for p in docx.paragraphs)
    words += "\n".join(c.text for t in docx.tables for row in t.rows for c in row.cells)
    for expected in (
        "МОЦ города N", "Сидоров Пётр Ильич", "МБУ ДО «ДДТ»", "Семинар «Наставничество»",
        "8 декабря 2026", "1,5", "ПОДТВЕРЖДЕНИЕ УЧАСТИЯ",
    ):  # fmt: skip
        assert expected in words, expected
