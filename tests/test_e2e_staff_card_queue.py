"""A methodist opens the card of a full seminar: she needs to know how many people wait for a
seat, not the teachers' offer «можно встать в лист ожидания». The staff card in Telegram and
in MAX says «мест нет · в листе ожидания: 2»; teachers see their card as before. Through the
real bot and the fake servers (the harnesses of tests/test_e2e_events_admin.py and
tests/test_e2e_max_staff_events.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.max_runtime import MaxRuntime
from storage.models import User
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import start
from tests.test_e2e_events_admin import SECOND, THIRD, body
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture
from tests.test_e2e_max_staff_events import ADMIN_MAX
from tests.test_e2e_max_staff_events import runtime as runtime  # a fixture

OFFER = "можно встать в лист ожидания"


async def test_staff_card_counts_the_waiting_list(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=1)
    for user, name in ((TEACHER, "Сидоров Пётр"), (SECOND, "Петрова Ольга"), (THIRD, "Кузнецов")):
        await seed_teacher(h.sessionmaker, user, name)
    await register(h.sessionmaker, event_id, TEACHER)
    await register(h.sessionmaker, event_id, SECOND)  # waiting
    await register(h.sessionmaker, event_id, THIRD)  # waiting

    card = body(await h.say(ADMIN, f"/start event_{event_id}"))
    assert "👥 мест нет · в листе ожидания: 2" in card and OFFER not in card

    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Число мест")
    saved = body(await h.say(ADMIN, "2"))  # one more seat: the first in the queue gets it
    assert "Сохранено: Число мест" in saved and "мест нет · в листе ожидания: 1" in saved
    await h.press(ADMIN, fields, "Число мест")
    saved = body(await h.say(ADMIN, "5"))
    assert "👥 осталось 2 из 5\n" in saved  # nobody waits: no count

    outsider_id = await seed_event(h.sessionmaker, capacity=1, title="Семинар «Другой»")
    await register(h.sessionmaker, outsider_id, TEACHER)
    await h.server.idle()
    h.server.drain(SECOND.id)  # «Освободилось место» of the first seminar
    seen = body(await h.say(SECOND, f"/start event_{outsider_id}"))  # a teacher: as before
    assert OFFER in seen and "в листе ожидания:" not in seen


async def test_max_staff_card_counts_the_waiting_list(
    runtime: MaxRuntime, max_server: FakeMaxServer
) -> None:
    sm = runtime.ctx.sessionmaker
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    event_id = await seed_event(sm, capacity=1, starts_at=soon)
    async with sm() as session:
        repo = Repositories(session)
        for uid in (101, 102, 103):
            session.add(User(id=uid, first_name=f"П{uid}", role="teacher"))
        await repo.commit()
        for uid in (101, 102, 103):
            await repo.events.register(event_id, uid)
        await repo.commit()
    card = await start(max_server, ADMIN_MAX, f"event_{event_id}", n=2)
    assert "👥 мест нет · в листе ожидания: 2" in card.plain and OFFER not in card.plain
