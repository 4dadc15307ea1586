"""The waiting list's last call: a seat given back in the last hours before the start goes to
nobody — the first in line is not told «Освободилось место» about a seminar they cannot reach
in time; earlier the promoted teacher is told how soon it begins. Telegram and MAX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.texts import events as t
from storage.models import Event, Registration, RegistrationStatus
from tests.conftest import TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import (
    TEACHER_MAX,
    Both,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
)

WAITING = FakeUser(id=2011, first_name="Ольга", last_name="Петрова")


def starting_in(delta: timedelta) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + delta


async def statuses(h: BotHarness | Both, event_id: int) -> dict[int | None, str]:
    async with h.sessionmaker() as session:
        rows = await session.scalars(select(Registration).where(Registration.event_id == event_id))
        return {r.user_id: r.status for r in rows}


async def cancel_in_telegram(h: BotHarness, event_id: int) -> None:
    card = await h.say(TEACHER, f"/start event_{event_id}")
    h.server.press(card, t.BTN_CANCEL_REG, user=TEACHER)
    await h.server.idle()
    h.server.press(
        h.server.messages[(TEACHER.id, card.message_id)], t.BTN_CANCEL_YES, user=TEACHER
    )
    done = await h.server.next_message(TEACHER.id)
    assert "отменена" in done.text
    await h.server.idle()


async def seat_and_queue(h: BotHarness | Both, starts: datetime, seated: FakeUser) -> int:
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=starts, title="Семинар")
    await seed_teacher(h.sessionmaker, WAITING, "Петрова Ольга Ивановна")
    assert (await register(h.sessionmaker, event_id, seated))[1] == "registered"
    assert (await register(h.sessionmaker, event_id, WAITING))[1] == "waiting"
    return event_id


async def test_a_seat_given_back_half_an_hour_before_goes_to_nobody(harness: BotHarness) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Иванова Анна Сергеевна")
    event_id = await seat_and_queue(h, starting_in(timedelta(minutes=30)), TEACHER)

    await cancel_in_telegram(h, event_id)

    assert not any("Освободилось" in m.text for m in h.server.sent_to(WAITING.id))
    assert (await statuses(h, event_id))[WAITING.id] == RegistrationStatus.WAITING
    async with h.sessionmaker() as session:
        event = await session.get(Event, event_id)
    assert event is not None and event.taken == 0  # free for a walk-in, not given away


async def test_a_seat_given_back_hours_before_says_how_soon_it_starts(
    harness: BotHarness,
) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Иванова Анна Сергеевна")
    event_id = await seat_and_queue(h, starting_in(timedelta(hours=5)), TEACHER)

    await cancel_in_telegram(h, event_id)

    told = await h.server.next_message(WAITING.id)
    assert "Освободилось место" in told.text and "Семинар" in told.text
    assert "⏰ Начало через 4 ч 59 мин" in told.text or "⏰ Начало через 5 ч" in told.text
    assert (await statuses(h, event_id))[WAITING.id] == RegistrationStatus.REGISTERED


async def test_a_max_cancellation_an_hour_before_tells_nobody(both: Both) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seat_and_queue(
        h, starting_in(timedelta(hours=1)), FakeUser(id=uid, first_name="Анна")
    )
    card = await h.start(TEACHER_MAX, f"event_{event_id}")

    confirm = await press_to_edit(h, card, t.BTN_CANCEL_REG)
    (cancelled,) = await press_and_wait(h, confirm, t.BTN_CANCEL_YES, 1)
    assert "отменена" in cancelled.plain

    await h.tg.idle()
    assert not any("Освободилось" in m.text for m in h.tg.sent_to(WAITING.id))
    assert (await statuses(h, event_id))[WAITING.id] == RegistrationStatus.WAITING
