"""A double tap on «📄 Подтверждение участия» gives the document once, in Telegram and in MAX.

The teacher tapped twice while the DOCX was being made and got the message and the file twice
— two identical documents for the аттестация portfolio, and no way to tell they are one. Now
the second tap is answered «Подтверждение уже отправлено — документ выше в чате.»; asked again
later (a file lost on a new phone), it is sent again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import FrozenClock
from bot.services.faq.service import FaqService
from bot.texts.events import BTN_PROOF, PROOF_JUST_SENT
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import TEACHER, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, max_answer, seed_max_teacher
from tests.helpers.wait import until

HELD = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOW = HELD + timedelta(days=2)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def both(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock,
) -> AsyncIterator[Both]:  # fmt: skip
    async with running_both(server, max_server, db_path, sessionmaker, faq_service, clock) as h:
        yield h


async def attended(h: Both, event_id: int, user_id: int) -> None:
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        reg = (await repo.events.register(event_id, user_id)).registration
        assert await repo.events.mark_attended(reg.id, True, HELD + timedelta(minutes=5))
        await repo.commit()


def tg_documents(h: Both) -> list[str]:
    return [m.document.filename for m in h.tg.sent_to(TEACHER.id) if m.document is not None]


async def test_a_double_tap_gives_one_document_in_telegram(both: Both, clock: FrozenClock) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=HELD)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await attended(h, event_id, TEACHER.id)
    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    h.tg.press(card, BTN_PROOF, user=TEACHER)
    h.tg.press(card, BTN_PROOF, user=TEACHER)
    await h.tg.idle()
    assert len(tg_documents(h)) == 1
    answers = [c.params.get("text") for c in h.tg.calls if c.method == "answercallbackquery"]
    assert answers[-1] == PROOF_JUST_SENT

    clock.set(NOW + timedelta(minutes=5))  # asked again later: sent again
    h.tg.press(card, BTN_PROOF, user=TEACHER)
    await h.tg.idle()
    assert len(tg_documents(h)) == 2


async def test_a_double_tap_gives_one_document_in_max(both: Both) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=HELD)
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await attended(h, event_id, uid)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    first = h.max.press(TEACHER_MAX, shown, BTN_PROOF)
    second = h.max.press(TEACHER_MAX, shown, BTN_PROOF)
    assert await max_answer(h, second) == PROOF_JUST_SENT
    await max_answer(h, first)
    await asyncio.sleep(1)  # what else would come
    files = [m for m in h.max.sent_to(TEACHER_MAX) if "Подтверждение участия:" in m.plain]
    await until(lambda: len(files) >= 1, 5, "the document")
    assert len(files) == 1
