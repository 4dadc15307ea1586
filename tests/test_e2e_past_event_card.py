"""The card of an event that has taken place says so: no «осталось N из M», no «Запись до»,
no waiting-list offer nor «Запись закрыта» — in Telegram and in MAX (one card renderer). The
staff card says so too and tells how many came of those registered, wherever staff see it:
the card, after «Закрыть запись», after «Изменить»."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.services.faq import FaqService
from bot.texts import events as t
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import max_only_bot
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


STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")
CAME = "Пришли 1 из 2 записанных"


async def past_with_turnout(sm: SessionMaker) -> int:
    """A seminar two days ago: two seats held (one marked present), one turn in the queue."""
    event_id = await seed_event(
        sm, capacity=2, starts_at=NOW - timedelta(days=2), title="Прошедший семинар",
        registration_deadline=NOW - timedelta(days=3),
    )  # fmt: skip
    people = [TEACHER, OTHER, FakeUser(id=2006, first_name="Олег")]
    for n, user in enumerate(people):
        await seed_teacher(sm, user, f"Учитель {n}")
    came, _ = await register(sm, event_id, TEACHER)
    await register(sm, event_id, OTHER)
    await register(sm, event_id, people[2])  # waiting: no seat, not counted
    async with sm() as session:
        repo = Repositories(session)
        assert await repo.events.mark_attended(came, True)
        await repo.commit()
    return event_id


def staff_past(text: str) -> None:
    taken_place(text)
    assert CAME in text, text


async def test_a_past_event_staff_card_in_telegram_tells_who_came(harness: BotHarness) -> None:
    h = harness
    event_id = await past_with_turnout(h.sessionmaker)
    h.server.user_sends(f"/start event_{event_id}", user=ADMIN)
    await h.server.idle()
    card = next(m for m in h.server.drain(ADMIN.id) if "Прошедший семинар" in (m.text or ""))
    staff_past(card.text)

    anchor = await h.say(ADMIN, "/help")  # «Закрыть запись» turns the pressed message
    h.server.press_data(anchor, f"eva:close:{event_id}", user=ADMIN)
    await h.server.idle()
    staff_past(h.server.messages[(ADMIN.id, anchor.message_id)].text)

    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Название")
    saved = await h.say(ADMIN, "Прошедший семинар (итоги)")
    assert "Сохранено: Название" in saved.text
    staff_past(saved.text)


async def test_a_teacher_still_sees_no_counts_on_a_past_card(harness: BotHarness) -> None:
    h = harness
    event_id = await past_with_turnout(h.sessionmaker)
    h.server.user_sends(f"/start event_{event_id}", user=OTHER)
    await h.server.idle()
    card = next(m for m in h.server.drain(OTHER.id) if "Прошедший семинар" in (m.text or ""))
    taken_place(card.text)
    assert "Пришли" not in card.text


async def test_a_past_event_staff_card_in_max_tells_who_came(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    event_id = await past_with_turnout(sessionmaker)
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        fake.bot_started(STAFF_MAX, f"event_{event_id}")
        (card,) = await fake.wait_sent(STAFF_MAX, 1)
        assert "Прошедший семинар" in card.plain
        staff_past(card.plain)
