"""The staff `/events` list says how many wait for a full event, as the staff card does
(«мест нет · в листе ожидания: 2»), not the teachers' «можно встать в лист ожидания»; teachers'
lines are as before. Telegram and MAX, through the real bot and the fake servers (the harness
of tests/test_e2e_staff_card_queue.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.max_runtime import MaxRuntime
from storage.models import User
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import say, start
from tests.test_e2e_events_admin import SECOND, THIRD, body
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture
from tests.test_e2e_max_staff_events import ADMIN_MAX
from tests.test_e2e_max_staff_events import runtime as runtime  # a fixture

OFFER = "можно встать в лист ожидания"


async def test_staff_list_counts_the_waiting_list(harness: BotHarness) -> None:
    h = harness
    full_id = await seed_event(h.sessionmaker, capacity=1, title="Семинар «Полный»")
    await seed_event(h.sessionmaker, capacity=5, title="Семинар «Свободный»")
    for user, name in ((TEACHER, "Сидоров Пётр"), (SECOND, "Петрова Ольга"), (THIRD, "Кузнецов")):
        await seed_teacher(h.sessionmaker, user, name)
    for user in (TEACHER, SECOND, THIRD):  # one seat, two waiting
        await register(h.sessionmaker, full_id, user)

    listing = body(await h.say(ADMIN, "/events"))
    assert "Семинар «Полный» · мест нет · в листе ожидания: 2" in listing, listing
    assert OFFER not in listing and "осталось 5 из 5" in listing

    await h.server.idle()
    seen = body(await h.say(SECOND, "/events"))  # a teacher: as before
    assert OFFER in seen and "в листе ожидания:" not in seen


async def test_max_staff_list_counts_the_waiting_list(
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
    await start(max_server, ADMIN_MAX, None, n=1)
    (listing,) = await say(max_server, ADMIN_MAX, "/events")
    assert "мест нет · в листе ожидания: 2" in listing.plain and OFFER not in listing.plain
