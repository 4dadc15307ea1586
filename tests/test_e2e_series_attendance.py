"""A workshop's weekly meetings are marked apart, in Telegram and in the web panel: the tick
staff gave the teacher at the first meeting is not what the list shows at the second, and
unticking someone at the second meeting leaves the first meeting's tick (one mark per
registration let the second meeting's untick take the first one's away)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import FrozenClock
from storage.models import RegistrationStatus
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import SentMessage
from tests.helpers.events import register, registration_status, seed_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in
from tests.test_e2e_qa_remind import FIRST, WEEK, seed_workshop
from tests.test_e2e_qa_remind import clock as clock  # a fixture
from tests.test_e2e_qa_remind import settings as settings  # a fixture

NAME = "Сидоров П.И."


async def marks_list(h: BotHarness, event_id: int) -> SentMessage:
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    return await h.server.next_message(ADMIN.id)


async def test_a_tick_at_one_meeting_is_not_another_meetings(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)

    clock.set(FIRST + timedelta(minutes=10))  # the first meeting: the teacher came
    first = await marks_list(h, event_id)
    assert "(занятие 1 из 3)" in (first.text or "")
    h.server.press(first, f"⬜ {NAME}", user=ADMIN)
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED

    clock.set(FIRST + WEEK + timedelta(minutes=10))  # the second: not (yet) ticked there
    second = await marks_list(h, event_id)
    assert "(занятие 2 из 3)" in (second.text or "")
    assert f"⬜ {NAME}" in second.inline_texts and f"✅ {NAME}" not in second.inline_texts
    h.server.press(second, f"⬜ {NAME}", user=ADMIN)  # ticked by mistake…
    await h.server.idle()
    h.server.press(second, f"✅ {NAME}", user=ADMIN)  # …and unticked: absent this time
    await h.server.idle()
    # the first meeting's tick stands: the teacher did come (the participation document)
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED

    clock.set(FIRST + 2 * WEEK + timedelta(minutes=10))  # the panel at the third meeting
    panel = await client_for(h.settings, h.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, h.settings, clock)
        page = await (await panel.get(f"/web/events/{event_id}")).text()
    finally:
        await panel.close()
    assert "за занятие 22.12.2026 15:00 (занятие 3 из 3)" in page
    assert f'name="seen" value="{reg_id}:0"' in page  # not ticked at the third meeting
