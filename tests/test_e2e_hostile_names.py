"""A teacher's name typed with HTML-looking characters, or absurdly long, where staff meet it:
the attendance toggles showed «Сидоров <.И.» (the initial of «<b>Пётр</b>» was «<») and a
200-letter surname as a button wider than the screen. The participants' list and the DOCX keep
the name as typed (escaped, not markup)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document

from bot.core.clock import FrozenClock
from bot.texts.events import BTN_PROOF
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher

START = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, 90 minutes
LONG = FakeUser(id=2005, first_name="Очень", last_name="Длинный")
LONG_NAME = "Щ" * 180 + " Анна Ивановна"
TAGGED = "Сидоров <b>Пётр</b> Ильич & Co"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START + timedelta(minutes=10))


async def test_tagged_and_long_names_in_the_toggles_the_list_and_the_document(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=START, duration_min=90)
    await seed_teacher(h.sessionmaker, TEACHER, TAGGED)
    await seed_teacher(h.sessionmaker, LONG, LONG_NAME)
    await register(h.sessionmaker, event_id, TEACHER)
    await register(h.sessionmaker, event_id, LONG)

    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    toggles = [b for b in marks.inline_texts if b.startswith("⬜")]
    assert "⬜ Сидоров П.И." in toggles, toggles
    long_toggle = next(b for b in toggles if "Щ" in b)
    assert len(long_toggle) < 45 and long_toggle.endswith("А.И."), long_toggle
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()

    h.server.press_data(anchor, f"eva:people:{event_id}", user=ADMIN)
    listed = await h.server.next_message(ADMIN.id)
    assert TAGGED in (listed.text or ""), listed.text  # as typed, not as markup

    clock.set(START + timedelta(minutes=95))
    h.server.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.server.next_message(TEACHER.id)
    h.server.press(card, BTN_PROOF, user=TEACHER)
    proof = await h.server.next_message(TEACHER.id)
    assert TAGGED in (proof.text or "")
    document = await h.server.next_message(TEACHER.id)
    assert document.document is not None
    docx = Document(io.BytesIO(document.document.data))
    assert any(TAGGED in p.text for p in docx.paragraphs)
