"""QA in MAX: double taps and buttons left under an older message, through the real MAX runtime
and the fake MAX API — a confirmation tapped twice is done and said once, and an answer button
under the question of an edit that is over never changes the event being edited now."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import texts
from bot.texts import events_admin as t
from storage.models import Event, User
from tests.helpers.events import seed_event
from tests.helpers.max_bot import answered, start
from tests.helpers.max_both import MOTHER, SOON, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_max_staff_event_form import Max, events_of
from tests.test_e2e_max_staff_event_form import bot as bot  # a fixture: the MAX-only bot
from tests.test_e2e_max_staff_events import ADMIN_MAX


async def test_a_double_tap_on_forget_yes_deletes_once_and_says_it_once_in_max(
    both: Both,
) -> None:
    """The second tap used to make the person anew and delete them again: «Готово: ваши
    данные удалены» twice. Now the second says there was nothing left, and keeps nothing."""
    h = both
    await as_parent(h)
    confirm = await h.say(MOTHER, "/forget_me")
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    said = [m.plain for m in (await h.max.wait_sent(MOTHER, before + 2))[before:]]
    assert said == [texts.FORGOTTEN, texts.FORGOTTEN_ALREADY], said

    async def nobody_left() -> bool:
        async with h.sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(User)) == 0

    await until(nobody_left, what="the row the second tap made deleted too")


async def test_a_duration_button_of_a_finished_edit_does_not_change_another_event_in_max(
    bot: Max,
) -> None:
    """Event A's duration typed, then event B's duration asked: «120 мин» pressed under A's
    old question used to change B (and its «Отмена» ended B's edit). Now both are refused and
B's own question still works."""
    h, admin = bot, ADMIN_MAX
    first = await seed_event(h.sessionmaker, title="Семинар А", starts_at=SOON)
    second = await seed_event(h.sessionmaker, title="Семинар Б", starts_at=SOON)

    card_a = await start(h.fake, admin, f"event_{first}", n=2)
    (pick_a,) = await h.presses(admin, card_a, "✏️ Изменить")
    (ask_a,) = await h.presses(admin, pick_a, t.FIELD_LABELS["duration"])
    (saved,) = await h.says(admin, "60")
    assert "Сохранено: Длительность" in saved.plain

    card_b = await start(h.fake, admin, f"event_{second}", n=2)
    (pick_b,) = await h.presses(admin, card_b, "✏️ Изменить")
    await h.presses(admin, pick_b, t.FIELD_LABELS["duration"])
    told = before = len(h.fake.sent_to(admin))
    assert await answered(h.fake, h.fake.press(admin, ask_a, "120 мин")) == t.STEP_PASSED
    # and its «Отмена» does not end B's edit
    assert await answered(h.fake, h.fake.press(admin, ask_a, t.BTN_DISCARD)) == t.STEP_PASSED
    assert len(h.fake.sent_to(admin)) == told
    assert [e.duration_min for e in sorted(await events_of(h.sessionmaker), key=id_of)] == [60, 90]

    (saved,) = await h.says(admin, "180")  # B's own question still takes its answer
    assert "Сохранено: Длительность" in saved.plain and "Семинар Б" in saved.plain
    assert len(h.fake.sent_to(admin)) == before + 1
    assert [e.duration_min for e in sorted(await events_of(h.sessionmaker), key=id_of)] == [60, 180]


def id_of(event: Event) -> int:
    return event.id
