"""The participation document of a workshop a teacher came to only in part: it stated every
meeting of the series and all their hours («1, 8 и 15 декабря 2026, 4,5 ч») for a teacher ticked
present at two of three — a document for the аттестация commission that says more than happened.
Now it states the meetings they were ticked at and those hours, in Telegram and in MAX."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from bot.core.clock import FrozenClock
from bot.services.faq.service import FaqService
from bot.texts.events import BTN_PROOF
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import TEACHER, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, press_and_wait, seed_max_teacher
from tests.test_e2e_moved_meetings import seed_workshop

WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, 90 minutes, weekly


@pytest.fixture
async def both(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq_service: FaqService,
) -> AsyncIterator[Both]:  # fmt: skip
    clock = FrozenClock(FIRST + 3 * WEEK)  # all three met
    async with running_both(server, max_server, db_path, sessionmaker, faq_service, clock) as h:
        yield h


def words(data: bytes) -> str:
    docx = Document(io.BytesIO(data))
    found = [p.text for p in docx.paragraphs]
    found += [c.text for t in docx.tables for row in t.rows for c in row.cells]
    return "\n".join(found)


async def test_the_document_states_only_the_meetings_attended(both: Both) -> None:
    h = both
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for who in (TEACHER.id, uid):
            reg = (await repo.events.register(event_id, who)).registration
            for at in (FIRST, FIRST + 2 * WEEK):  # not the second meeting
                assert await repo.events.mark_attended(reg.id, True, at + timedelta(minutes=5))
        await repo.commit()

    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    h.tg.press(card, BTN_PROOF, user=TEACHER)
    proof = await h.tg.next_message(TEACHER.id)
    document = await h.tg.next_message(TEACHER.id)
    assert "1 и 15 декабря 2026" in (proof.text or "") and "3 ч" in (proof.text or ""), proof
    assert "8 декабря" not in (proof.text or "") and "4,5" not in (proof.text or "")
    assert document.document is not None
    text = words(document.document.data)
    assert "1 и 15 декабря 2026" in text and "8 декабря" not in text and "4,5" not in text

    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    in_max, *_ = await press_and_wait(h, shown, BTN_PROOF, 2)
    assert "1 и 15 декабря 2026" in in_max.plain and "4,5" not in in_max.plain, in_max.plain
