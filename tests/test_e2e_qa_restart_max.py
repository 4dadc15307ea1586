"""QA in MAX: double taps and buttons left under an older message, through the real MAX runtime
and the fake MAX API — a confirmation tapped twice is done and said once, and an answer button
under the question of an edit that is over never changes the event being edited now."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot import texts
from bot.texts import events_admin as t
from bot.texts import max as max_texts
from storage.models import User
from tests.fakes.max_model import Message
from tests.helpers.events import seed_event
from tests.helpers.max_bot import answered, start
from tests.helpers.max_both import MOTHER, SOON, Both, as_parent, labels
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
    # each followed by what stays in Telegram (test_e2e_privacy_audit.py)
    said = [m.plain.split("\n\n")[0] for m in (await h.max.wait_sent(MOTHER, before + 2))[before:]]
    assert said == [max_texts.FORGOTTEN, max_texts.FORGOTTEN_ALREADY], said

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
    assert await durations(h) == [60, 90]

    (saved,) = await h.says(admin, "180")  # B's own question still takes its answer
    assert "Сохранено: Длительность" in saved.plain and "Семинар Б" in saved.plain
    assert len(h.fake.sent_to(admin)) == before + 1
    assert await durations(h) == [60, 180]


async def durations(h: Max) -> list[int]:
    """Every event's duration, in the order they were made."""
    return [e.duration_min for e in sorted(await events_of(h.sessionmaker), key=lambda e: e.id)]


async def max_draft_to_preview(h: Max, title: str) -> Message:
    """/new_event answered step by step in words: the preview with «Опубликовать»."""
    await h.says(ADMIN_MAX, "/new_event")
    await h.says(ADMIN_MAX, title)
    when = (datetime.now(h.settings.tz) + timedelta(days=10)).strftime("%d.%m.%Y 15:00")
    for answer in ("семинар", when, "90", "Очно", "МОЦ, ул. Школьная, 3", "15", "без срока"):
        await h.says(ADMIN_MAX, answer)
    (preview,) = await h.says(ADMIN_MAX, "пропустить")
    assert title in preview.plain and t.BTN_PUBLISH in labels(preview)
    return preview


async def test_publish_under_a_dropped_drafts_preview_does_not_publish_the_open_one_in_max(
    bot: Max,
) -> None:
    """Draft А dropped at its preview, draft Б at its own: «Опубликовать» under А's preview
    used to publish Б. Now it says the draft is gone; Б's own preview still publishes."""
    h, admin = bot, ADMIN_MAX
    await start(h.fake, admin, None)
    old = await max_draft_to_preview(h, "Семинар А")
    (dropped,) = await h.says(admin, "/cancel")
    assert "отмен" in dropped.plain.lower()
    new = await max_draft_to_preview(h, "Семинар Б")

    for label in (t.BTN_PUBLISH, t.BTN_DISCARD):
        assert await answered(h.fake, h.fake.press(admin, old, label)) == t.ALREADY_DONE
    assert await events_of(h.sessionmaker) == []

    (published,) = await h.presses(admin, new, t.BTN_PUBLISH)
    assert "Семинар Б" in published.plain
    assert [e.title for e in await events_of(h.sessionmaker)] == ["Семинар Б"]


async def test_buttons_sent_before_a_restart_still_answer_the_open_dialogs_in_max(
    bot: Max,
) -> None:
    """The marks of a dialog's own messages are in its stored row: after a restart the
    preview's «Опубликовать» and an edit question's button still work."""
    h, admin = bot, ADMIN_MAX
    await start(h.fake, admin, None)
    preview = await max_draft_to_preview(h, "Семинар после перезапуска")
    await h.restart()
    (published,) = await h.presses(admin, preview, t.BTN_PUBLISH)
    assert "Семинар после перезапуска" in published.plain
    (pick,) = await h.presses(admin, published, "✏️ Изменить")
    (question,) = await h.presses(admin, pick, t.FIELD_LABELS["duration"])
    await h.restart()
    (saved,) = await h.presses(admin, question, "120 мин")
    assert "Сохранено: Длительность" in saved.plain
    assert await durations(h) == [120]
