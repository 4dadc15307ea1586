"""QA in Telegram: double taps and buttons left under an older message, through the real bot
and the fake Bot API — a confirmation tapped twice is done and said once, and an answer button
under the question of an edit that is over never changes the event being edited now."""

from __future__ import annotations

from bot import texts
from bot.texts import events_admin as t
from storage.models import User
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.helpers.events import load_event, register, seed_event, seed_teacher
from tests.test_e2e_events_admin import answers, body, staff_message
from tests.test_e2e_events_admin import clock as clock  # a fixture: the frozen clock
from tests.test_e2e_events_admin import harness as harness  # a fixture: staff events wired


async def test_a_double_tap_on_forget_yes_deletes_once_and_says_it_once(
    harness: BotHarness,
) -> None:
    """Both taps arrive before the keyboard goes: the second used to re-create the person
    (the user middleware) and delete them again, and «Готово: ваши данные удалены» came
    twice; now the second is told nothing is left to delete."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    confirm = await h.say(TEACHER, "/forget_me")
    h.server.press(confirm, texts.BTN_FORGET_YES, user=TEACHER)
    h.server.press(confirm, texts.BTN_FORGET_YES, user=TEACHER)
    await h.server.idle()
    said = [m.text or "" for m in h.server.drain(TEACHER.id)]
    assert said == [texts.FORGOTTEN, texts.FORGOTTEN_ALREADY], said
    async with h.sessionmaker() as session:  # the row the second tap made went too
        assert await session.get(User, TEACHER.id) is None


async def test_a_duration_button_of_a_finished_edit_does_not_change_another_event(
    harness: BotHarness,
) -> None:
    """The staffer changed event A's duration by typing it, then opened event B's duration;
    a «120 мин» pressed under A's old question used to land on B (and B's teachers got a
    notice of a new end). Now it is refused and B keeps its duration."""
    h = harness
    first = await seed_event(h.sessionmaker, title="Семинар А")
    second = await seed_event(h.sessionmaker, title="Семинар Б")
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, second, TEACHER)

    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:edit:{first}", user=ADMIN)
    fields_a = await h.server.next_message(ADMIN.id)
    question_a = await h.press(ADMIN, fields_a, "Длительность")
    assert "Сохранено: Длительность" in body(await h.say(ADMIN, "60"))
    h.server.drain(TEACHER.id)

    h.server.press_data(anchor, f"eva:edit:{second}", user=ADMIN)
    fields_b = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields_b, "Длительность")
    h.server.press(question_a, "120 мин", user=ADMIN)
    await h.server.idle()

    assert any(a.get("text") == t.STEP_PASSED for a in answers(h))
    assert (await load_event(h.sessionmaker, second)).duration_min == 90
    assert (await load_event(h.sessionmaker, first)).duration_min == 60
    assert h.server.drain(TEACHER.id) == []
    # B's own question still takes its answer
    saved = await h.say(ADMIN, "180")
    assert "Сохранено: Длительность" in body(saved) and "Семинар Б" in body(saved)
    assert (await load_event(h.sessionmaker, second)).duration_min == 180
