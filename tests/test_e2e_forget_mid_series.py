"""A teacher who deletes their data in the middle of a workshop series leaves its meetings
ahead: the seat goes to the first in the waiting list, as a cancelled seat does.

Three weekly meetings, one seat. The teacher came to the first and then pressed «Удалить мои
данные». Their attended seat stayed taken for the meetings still ahead: staff saw «Занято мест:
1 из 1» over «Пока никто не записался», and the colleague first in the waiting list stayed
«1-й в очереди» to the end of the series. Now the colleague gets «Освободилось место» and the
seat for the second and third meetings; the first meeting's presence stays in the report.
"""

from __future__ import annotations

from datetime import timedelta

from bot import texts
from bot.core.clock import FrozenClock
from storage.models import RegistrationStatus
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.helpers.events import register, registration_status, seed_teacher
from tests.test_e2e_qa_remind import FIRST, WEEK, seed_workshop
from tests.test_e2e_qa_remind import clock as clock  # a fixture
from tests.test_e2e_qa_remind import settings as settings  # a fixture

COLLEAGUE = FakeUser(id=2003, first_name="Ольга", last_name="Кузнецова")


async def staff_view(h: BotHarness, what: str, event_id: int) -> SentMessage:
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:{what}:{event_id}", user=ADMIN)
    return await h.server.next_message(ADMIN.id)


async def test_forget_me_mid_series_gives_the_seat_to_the_waiting_list(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    meetings = [FIRST, FIRST + WEEK, FIRST + 2 * WEEK]
    event_id = await seed_workshop(h.sessionmaker, meetings, capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, COLLEAGUE, "Кузнецова Ольга Ивановна")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)
    waiting_id, outcome = await register(h.sessionmaker, event_id, COLLEAGUE)
    assert outcome == "waiting"

    clock.set(FIRST + timedelta(minutes=10))  # the first meeting: the teacher came
    marks = await staff_view(h, "attend", event_id)
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED

    clock.set(FIRST + timedelta(days=2))  # between the first and the second meeting
    confirm = await h.say(TEACHER, "/forget_me")
    assert (await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)).text == texts.FORGOTTEN
    told = await h.server.next_message(COLLEAGUE.id)
    assert "Освободилось место" in (told.text or "")
    assert "Робототехника" in (told.text or "")
    # the seat is for the meetings ahead: the one held is not in the message
    assert "15 декабря" in (told.text or "") and "8 декабря" not in (told.text or "")
    assert "оставшиеся занятия" in (told.text or "")  # no «отмените запись»: it has begun
    assert "отмените запись" not in (told.text or "")
    assert await registration_status(h.sessionmaker, waiting_id) == RegistrationStatus.REGISTERED
    # the first meeting's presence stays for the report, naming nobody
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED

    mine = await h.say(COLLEAGUE, "Мои записи")
    assert "листе ожидания" not in (mine.text or "")
    people = await staff_view(h, "people", event_id)
    assert "Занято мест: 1 из 1" in (people.text or "")
    assert "Кузнецова Ольга Ивановна" in (people.text or "")
    assert "Лист ожидания" not in (people.text or "")


async def test_forget_me_just_before_the_next_meeting_frees_the_seat_for_nobody(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """An hour before the second meeting nobody could arrange to come (LAST_CALL): the seat
    is given back, the waiting colleague not told."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK], capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, COLLEAGUE, "Кузнецова Ольга Ивановна")
    await register(h.sessionmaker, event_id, TEACHER)
    waiting_id, _ = await register(h.sessionmaker, event_id, COLLEAGUE)
    clock.set(FIRST + timedelta(minutes=10))
    marks = await staff_view(h, "attend", event_id)
    h.server.press(marks, "⬜ Сидоров П.И.", user=ADMIN)
    await h.server.idle()

    clock.set(FIRST + WEEK - timedelta(hours=1))
    confirm = await h.say(TEACHER, "/forget_me")
    assert (await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)).text == texts.FORGOTTEN
    await h.server.idle()
    assert await registration_status(h.sessionmaker, waiting_id) == RegistrationStatus.WAITING
    people = await staff_view(h, "people", event_id)
    assert "Занято мест: 0 из 1" in (people.text or "")


async def added_seat(h: BotHarness, event_id: int, capacity: str) -> None:
    """Staff raise «Число мест» through the card's «✏️ Изменить»."""
    fields = await staff_view(h, "edit", event_id)
    await h.press(ADMIN, fields, "Число мест")
    saved = await h.say(ADMIN, capacity)
    assert "Сохранено: Число мест" in (saved.text or ""), saved.text


async def test_a_seat_added_mid_series_goes_to_the_waiting_list(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """As a seat left by /forget_me: a seat staff add between meetings goes to the first in
    the waiting list for the meetings ahead, who is told; the list no longer keeps them."""
    h = harness
    event_id = await seed_workshop(
        h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK], capacity=1
    )
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, COLLEAGUE, "Кузнецова Ольга Ивановна")
    await register(h.sessionmaker, event_id, TEACHER)
    waiting_id, outcome = await register(h.sessionmaker, event_id, COLLEAGUE)
    assert outcome == "waiting"

    clock.set(FIRST + timedelta(days=2))  # between the first and the second meeting
    await added_seat(h, event_id, "2")
    told = await h.server.next_message(COLLEAGUE.id)
    assert "Робототехника" in (told.text or "") and "15 декабря" in (told.text or "")
    assert await registration_status(h.sessionmaker, waiting_id) == RegistrationStatus.REGISTERED
    people = await staff_view(h, "people", event_id)
    assert "Занято мест: 2 из 2" in (people.text or "")
    assert "Лист ожидания" not in (people.text or "")


async def test_a_seat_added_just_before_the_next_meeting_moves_nobody(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """An hour before the second meeting (LAST_CALL) the added seat stays free, as a freed one."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK], capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, COLLEAGUE, "Кузнецова Ольга Ивановна")
    await register(h.sessionmaker, event_id, TEACHER)
    waiting_id, _ = await register(h.sessionmaker, event_id, COLLEAGUE)

    clock.set(FIRST + WEEK - timedelta(hours=1))
    await added_seat(h, event_id, "2")
    await h.server.idle()
    assert h.server.drain(COLLEAGUE.id) == []
    assert await registration_status(h.sessionmaker, waiting_id) == RegistrationStatus.WAITING
