"""A methodist opens the card of a seminar under way, or one whose registration deadline has
passed: the staff buttons are those that do something. «📣 Анонсировать» (signup shut),
«🔒 Закрыть запись» and «🚫 Отменить мероприятие» (begun) used to be there and answered only
with a refusal. Telegram and MAX, through the real bot and the fake servers (the harnesses of
tests/test_e2e_events_admin.py and tests/test_e2e_max_staff_events.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.max_runtime import MaxRuntime
from tests.conftest import ADMIN, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.events import seed_event
from tests.helpers.max_bot import start
from tests.test_e2e_events_admin import NOW
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture
from tests.test_e2e_max_events_list import labels
from tests.test_e2e_max_staff_events import ADMIN_MAX, STARTED
from tests.test_e2e_max_staff_events import runtime as runtime  # a fixture

ANNOUNCE, CLOSE, CANCEL = "📣 Анонсировать", "🔒 Закрыть запись", "🚫 Отменить мероприятие"


async def test_begun_or_shut_events_show_only_working_staff_buttons(harness: BotHarness) -> None:
    h = harness
    ahead = await seed_event(h.sessionmaker)
    begun = await seed_event(h.sessionmaker, starts_at=NOW - timedelta(minutes=30))
    shut = await seed_event(
        h.sessionmaker, starts_at=NOW + timedelta(days=10),
        registration_deadline=NOW - timedelta(hours=1),
    )  # fmt: skip

    buttons = (await h.say(ADMIN, f"/start event_{ahead}")).inline_texts
    assert {ANNOUNCE, CLOSE, CANCEL} <= set(buttons)  # as before

    buttons = (await h.say(ADMIN, f"/start event_{begun}")).inline_texts
    assert {"👥 Участники", "☑️ Присутствие", "✏️ Изменить"} <= set(buttons)
    assert not {ANNOUNCE, CLOSE, CANCEL} & set(buttons), buttons

    buttons = (await h.say(ADMIN, f"/start event_{shut}")).inline_texts
    assert ANNOUNCE not in buttons  # nobody could sign up from the announcement
    assert {CLOSE, CANCEL} <= set(buttons)  # not begun: still closed or called off


async def test_begun_event_in_max_has_no_dead_staff_buttons(
    runtime: MaxRuntime, max_server: FakeMaxServer
) -> None:
    sm = runtime.ctx.sessionmaker
    begun = await seed_event(sm, starts_at=STARTED + timedelta(hours=2, minutes=30))
    card = await start(max_server, ADMIN_MAX, f"event_{begun}", n=2)
    assert datetime.now(UTC) > STARTED + timedelta(hours=2, minutes=30)
    assert {"👥 Участники", "✏️ Изменить"} <= set(labels(card))
    assert not {ANNOUNCE, CLOSE, CANCEL} & set(labels(card)), labels(card)
