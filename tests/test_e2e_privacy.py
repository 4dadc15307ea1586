"""Privacy defects a user or an attacker meets (issue 13): the online link behind a forged
«.ics» button, /forget_me while waiting lists are promoted, and what /forget_me leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import texts
from bot.clock import FrozenClock
from bot.faq import FaqService
from bot.testing.fake_api import FakeTelegramServer, FakeUser, SentMessage
from bot.texts import events as event_texts
from storage.db import SessionMaker
from storage.models import Registration
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, start_bot, stop_bot
from tests.test_e2e_events import SECOND, seed_event, seed_teacher

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
THIRD = FakeUser(id=2004, first_name="Инна", last_name="Кузнецова")
ZOOM = "https://zoom.example/j/secret-123"


async def open_card(h: BotHarness, user: FakeUser, event_id: int) -> SentMessage:
    """The event card a deep link opens (a newcomer may get a welcome beside it)."""
    h.server.user_sends(f"/start event_{event_id}", user=user)
    await h.server.idle()
    return next(m for m in h.server.drain(user.id) if event_texts.BTN_TO_LIST in m.inline_texts)


@pytest.fixture
async def harness(
    server: FakeTelegramServer,
    settings: object,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[BotHarness]:
    clock = FrozenClock(NOW)
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service, clock)  # type: ignore[arg-type]
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)  # type: ignore[arg-type]
    yield h
    await stop_bot(h.dp, h.task)


async def test_forged_ics_button_does_not_leak_the_meeting_link(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=5, format="online", place=ZOOM)
    await seed_teacher(h.sessionmaker, TEACHER)
    card = await open_card(h, TEACHER, event_id)
    assert ZOOM not in card.text and event_texts.BTN_ICS not in card.inline_texts

    h.server.press_data(card, f"ev:ics:{event_id}", user=TEACHER)  # forged: not registered
    answer = await h.server.callback_answer()
    assert answer.params.get("show_alert") and "только записавшимся" in answer.params["text"]
    await h.server.idle()
    assert not [m for m in h.server.drain(TEACHER.id) if m.document is not None]

    # staff may download it from the card (their card shows the link anyway)
    admin_card = await open_card(h, ADMIN, event_id)
    h.server.press_data(admin_card, f"ev:ics:{event_id}", user=ADMIN)
    ics = await h.server.next_message(ADMIN.id)
    assert ics.document is not None and ZOOM.encode() in ics.document.data

    # a registered teacher gets the link in the file
    await h.press(TEACHER, card, "✅ Записаться")
    registered_ics = await h.server.next_message(TEACHER.id)
    assert registered_ics.document is not None
    h.server.press_data(card, f"ev:ics:{event_id}", user=TEACHER)
    again = await h.server.next_message(TEACHER.id)
    assert again.document is not None and ZOOM.encode() in again.document.data


async def test_forget_me_promotes_both_waiting_lists_and_each_gets_the_ics(
    harness: BotHarness,
) -> None:
    h = harness
    first = await seed_event(h.sessionmaker, capacity=1, title="Первый семинар")
    second = await seed_event(h.sessionmaker, capacity=1, title="Второй семинар")
    for user in (TEACHER, SECOND, THIRD):
        await seed_teacher(h.sessionmaker, user)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for event_id, waiting in ((first, SECOND), (second, THIRD)):
            await repo.events.register(event_id, TEACHER.id)
            await repo.events.register(event_id, waiting.id)
        await repo.commit()

    confirm = await h.say(TEACHER, "/forget_me")
    done = await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in done.text
    for user, title in ((SECOND, "Первый семинар"), (THIRD, "Второй семинар")):
        told = await h.server.next_message(user.id)
        assert "Освободилось место" in told.text and title in told.text
        ics = await h.server.next_message(user.id)
        assert ics.document is not None and ics.document.filename.endswith(".ics")
    await h.server.idle()
    assert not h.server.drain(ADMIN.id)  # no error notice
    async with h.sessionmaker() as session:
        statuses = {
            (r.event_id, r.user_id): r.status
            for r in (await session.scalars(select(Registration))).all()
        }
    assert statuses == {(first, SECOND.id): "registered", (second, THIRD.id): "registered"}
