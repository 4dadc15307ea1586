"""The card of an event that has taken place says so: no «осталось N из M», no «Запись до»,
no waiting-list offer nor «Запись закрыта» — in Telegram and in MAX (one card renderer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.texts import events as t
from tests.conftest import TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import TEACHER_MAX, Both, seed_max_teacher

NOW = datetime.now(UTC).replace(microsecond=0)
OTHER = FakeUser(id=2005, first_name="Инна", last_name="Кузнецова")
SEAT_WORDS = ("осталось", "мест нет", "лист ожидания", "Запись до", "Запись закрыта")


def taken_place(text: str) -> None:
    assert t.EVENT_PAST in text, text
    for words in SEAT_WORDS:
        assert words not in text, (words, text)


async def test_a_past_event_card_in_telegram_says_it_took_place(harness: BotHarness) -> None:
    h = harness
    past = NOW - timedelta(days=2)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    seats = await seed_event(
        h.sessionmaker, starts_at=past, title="Прошедший семинар",
        registration_deadline=past - timedelta(days=1),
    )  # fmt: skip
    full = await seed_event(h.sessionmaker, capacity=0, starts_at=past, title="Полный семинар")
    await register(h.sessionmaker, seats, TEACHER)

    h.server.user_sends(f"/start event_{seats}", user=OTHER)  # one who never signed up
    await h.server.idle()
    card = next(m for m in h.server.drain(OTHER.id) if "Прошедший семинар" in (m.text or ""))
    taken_place(card.text)

    h.server.user_sends(f"/start event_{full}", user=OTHER)
    await h.server.idle()
    card = next(m for m in h.server.drain(OTHER.id) if "Полный семинар" in (m.text or ""))
    taken_place(card.text)

    h.server.user_sends(f"/start event_{seats}", user=TEACHER)  # one who was registered
    await h.server.idle()
    card = next(m for m in h.server.drain(TEACHER.id) if "Прошедший семинар" in (m.text or ""))
    taken_place(card.text)
    assert t.STATUS_REGISTERED not in card.text and t.STATUS_WAS_REGISTERED in card.text


async def test_an_upcoming_event_card_still_counts_seats(harness: BotHarness) -> None:
    h = harness
    soon = await seed_event(h.sessionmaker, starts_at=NOW + timedelta(days=3), title="Семинар")
    h.server.user_sends(f"/start event_{soon}", user=OTHER)
    await h.server.idle()
    card = next(m for m in h.server.drain(OTHER.id) if "Семинар" in (m.text or ""))
    assert "осталось 30 из 30" in card.text and t.EVENT_PAST not in card.text


async def test_a_past_event_card_in_max_says_it_took_place(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(
        h.sessionmaker, starts_at=NOW - timedelta(days=2), title="Прошедший вебинар"
    )
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert "Прошедший вебинар" in shown.plain
    taken_place(shown.plain)
