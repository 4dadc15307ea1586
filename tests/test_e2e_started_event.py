"""An event that has begun: the card of a teacher still «записаны» (not yet marked present)
offers no «Отменить запись» nor «В календарь», and an old card's cancel button is refused —
the seat is history, freeing it would promote nobody and undo the record staff tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import texts
from bot.texts import events as t
from storage.models import RegistrationStatus
from tests.conftest import TEACHER, BotHarness
from tests.test_e2e_events_admin import register, registration_status, seed_event, seed_teacher
from tests.test_e2e_participation import alert


async def test_a_started_event_cannot_be_cancelled_in_telegram(harness: BotHarness) -> None:
    h = harness
    started = datetime.now(UTC) - timedelta(hours=3)
    event_id = await seed_event(h.sessionmaker, starts_at=started, title="Прошедший семинар")
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)

    mine = await h.say(TEACHER, texts.BTN_MY_EVENTS)
    h.server.press(mine, mine.inline_texts[0], user=TEACHER)
    await h.server.idle()
    card = h.server.messages[(TEACHER.id, mine.message_id)]
    assert "Прошедший семинар" in card.text
    assert t.BTN_CANCEL_REG not in card.inline_texts and t.BTN_ICS not in card.inline_texts

    refused = await alert(h, card, f"ev:cancel_yes:{event_id}", TEACHER)  # an old card's
    assert refused == t.CANCEL_STARTED
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.REGISTERED
