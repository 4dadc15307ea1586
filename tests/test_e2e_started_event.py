"""An event that has begun: the card of a teacher still «записаны» (not yet marked present)
offers no «Отменить запись» nor «В календарь», and an old card's cancel button is refused —
the seat is history, freeing it would promote nobody and undo the record staff tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import texts
from bot.texts import events as t
from storage.models import RegistrationStatus
from tests.conftest import TEACHER, BotHarness
from tests.helpers.events import register, registration_status, seed_event, seed_teacher
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


async def test_my_events_shows_what_is_ahead_first_and_only_the_latest_past(
    harness: BotHarness,
) -> None:
    """After a year of seminars «Мои записи» opened on last September's; the next one was at
    the bottom. Now: ahead first, then the ten latest past ones; a past waiting turn is gone,
    a past seat without the attendance mark says so (hence no document yet)."""
    h = harness
    now = datetime.now(UTC)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    for week in range(12, 0, -1):  # twelve seminars, one a week, all over
        past = await seed_event(
            h.sessionmaker, starts_at=now - timedelta(weeks=week), title=f"Семинар №{13 - week}"
        )
        await register(h.sessionmaker, past, TEACHER)
    full = await seed_event(
        h.sessionmaker, capacity=0, starts_at=now - timedelta(days=2), title="Полный семинар"
    )
    assert (await register(h.sessionmaker, full, TEACHER))[1] == "waiting"
    ahead = await seed_event(
        h.sessionmaker, starts_at=now + timedelta(days=3), title="Будущий семинар"
    )
    await register(h.sessionmaker, ahead, TEACHER)

    mine = await h.say(TEACHER, texts.BTN_MY_EVENTS)
    first_line = mine.text.split("\n\n")[1]
    assert "Будущий семинар" in first_line, mine.text
    assert "Полный семинар" not in mine.text
    assert "Семинар №12" in mine.text and "Семинар №3" in mine.text
    assert "Семинар №2" not in mine.text and "Семинар №1<" not in mine.text
    assert t.STATUS_ENDED_UNMARKED in mine.text
    assert len(mine.inline_texts) == 11
