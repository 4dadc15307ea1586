"""A methodist pastes the title of a new event from the plan document, line break and all.
The title used to keep it: the event list's «дата · вид / название · места» line broke in
two, and so did the card. Now the title is one line. Through the real bot and the fake Bot
API (the harness of tests/test_e2e_events_admin.py)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Event
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.test_e2e_events_admin import body
from tests.test_e2e_events_admin import clock as clock  # a fixture
from tests.test_e2e_events_admin import harness as harness  # a fixture

PASTED = "Семинар-практикум\n«Функциональная  грамотность:\nчитательская»  "
ONE_LINE = "Семинар-практикум «Функциональная грамотность: читательская»"


async def test_a_pasted_title_becomes_one_line(harness: BotHarness) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, PASTED)
    await h.press(ADMIN, ask_kind, "Семинар")
    for answer in ("25.03 15:00", "90", "Очно", "ул. Ленина, 1", "30", "без срока"):
        await h.say(ADMIN, answer)
    preview = await h.say(ADMIN, "пропустить")
    assert ONE_LINE in body(preview)
    await h.press(ADMIN, preview, "✅ Опубликовать")
    async with h.sessionmaker() as session:
        event = (await session.scalars(select(Event))).one()
    assert event.title == ONE_LINE

    listing = body(await h.say(TEACHER, "/events"))
    assert f"{ONE_LINE} · осталось 30 из 30" in listing, listing
