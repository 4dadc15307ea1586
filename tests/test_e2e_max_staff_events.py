"""Issue 11: after the event, a MAX admin (MAX_ADMIN_IDS) sees the participants and marks
attendance from the card's staff buttons; the teacher then gets the participation document
(DOCX) as an upload in MAX. Anyone else's press on a staff button is refused. Over the fake
MAX server (real HTTP), MAX only."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.services.events.cards import day_text
from bot.services.faq import FaqService
from bot.texts import events as t
from bot.texts import events_admin as ta
from storage.db import SessionMaker
from storage.models import Registration, RegistrationStatus
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.events import seed_event
from tests.helpers.max_bot import answered, max_settings, start
from tests.helpers.max_both import TEACHER_MAX, new_runtime, seed_max_teacher
from tests.test_e2e_max_events_list import edited, labels

ADMIN_MAX = MaxUser(50_000_000_001, "Анна", "Методист")
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)  # 90 minutes long


@pytest.fixture
async def runtime(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[MaxRuntime]:
    settings = max_settings(db_path, max_server, ADMIN_MAX)
    services = Services(settings, sessionmaker, faq_service)
    runtime = new_runtime(services)
    await runtime.start()
    yield runtime
    await runtime.stop()


async def pressed(
    fake: FakeMaxServer, user: MaxUser, message: Message, label: str, n: int
) -> list[Message]:
    before = len(fake.sent_to(user))
    fake.press(user, message, label)
    return (await fake.wait_sent(user, before + n, within=15))[before:]


async def test_staff_list_attendance_then_the_teacher_gets_the_docx(
    runtime: MaxRuntime, max_server: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    fake = max_server
    uid = await seed_max_teacher(sessionmaker, TEACHER_MAX)
    event_id = await seed_event(sessionmaker, starts_at=STARTED, title="Семинар <итоги>")
    async with sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()

    teacher_card = await start(fake, TEACHER_MAX, f"event_{event_id}")
    assert "👥 Участники" not in labels(teacher_card)  # not staff
    # a forged payload: the teacher's own button rewritten to the staff list
    teacher_card.attachments[0]["payload"]["buttons"][0][0]["payload"] = f"eva:people:{event_id}"
    forged = fake.press(TEACHER_MAX, teacher_card, labels(teacher_card)[0])
    assert await answered(fake, forged) == texts.ADMIN_ONLY

    card = await start(fake, ADMIN_MAX, f"event_{event_id}", n=2)
    assert {"👥 Участники", "📥 Excel", "☑️ Присутствие"} <= set(labels(card))
    (people,) = await pressed(fake, ADMIN_MAX, card, "👥 Участники", 1)
    assert "Соколова Марина Ивановна" in people.plain and "Семинар <итоги>" in people.plain
    (sheet,) = await pressed(fake, ADMIN_MAX, people, ta.BTN_EXCEL, 1)
    assert [a["type"] for a in sheet.attachments] == ["file"]
    assert any(name == f"uchastniki-{event_id}.xlsx" for name, _ in fake.uploads.values())

    (marks,) = await pressed(fake, ADMIN_MAX, card, "☑️ Присутствие", 1)
    assert "Присутствие" in marks.plain
    unmarked = ta.BTN_NOT_ATTENDED.format(name="Соколова М.И.")
    edits = marks.edits
    fake.press(ADMIN_MAX, marks, unmarked)
    await edited(marks, edits + 1)
    assert ta.BTN_ATTENDED.format(name="Соколова М.И.") in labels(marks)
    async with sessionmaker() as session:
        registration = (await session.scalars(select(Registration))).one()
    assert registration.status == RegistrationStatus.ATTENDED

    teacher_card = await start(fake, TEACHER_MAX, f"event_{event_id}")
    assert t.BTN_PROOF in labels(teacher_card)
    text, document = await pressed(fake, TEACHER_MAX, teacher_card, t.BTN_PROOF, 2)
    assert "Подтверждение участия" in text.plain and "Семинар <итоги>" in text.plain
    assert [a["type"] for a in document.attachments] == ["file"]
    # the file says what it is, as the ICS file does: the event and its date (escaped title)
    assert "Подтверждение участия" in document.plain and "«Семинар <итоги>»" in document.plain
    assert day_text(STARTED, ZoneInfo("Europe/Moscow")) in document.plain
    name = f"podtverzhdenie-seminar-itogi-{registration.id}.docx"  # not the event's id
    data = next(d for n, d in fake.uploads.values() if n == name)
    words = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "Соколова Марина Ивановна" in words and "Семинар <итоги>" in words


async def test_no_document_before_the_event_ends(
    runtime: MaxRuntime, max_server: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    fake = max_server
    uid = await seed_max_teacher(sessionmaker, TEACHER_MAX)
    running = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    event_id = await seed_event(sessionmaker, starts_at=running, title="Идёт сейчас")
    async with sessionmaker() as session:
        repo = Repositories(session)
        registration = (await repo.events.register(event_id, uid)).registration
        await repo.commit()
        assert await repo.events.mark_attended(registration.id, True)
        await repo.commit()
    card = await start(fake, TEACHER_MAX, f"event_{event_id}")
    before = len(fake.sent_to(TEACHER_MAX))
    notice = await answered(fake, fake.press(TEACHER_MAX, card, t.BTN_PROOF))
    assert "после окончания мероприятия" in notice
    await asyncio.sleep(0.5)
    assert len(fake.sent_to(TEACHER_MAX)) == before and not fake.uploads
