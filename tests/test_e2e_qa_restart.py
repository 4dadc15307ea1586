"""QA in Telegram: double taps and buttons left under an older message, through the real bot
and the fake Bot API — a confirmation tapped twice is done and said once, and an answer button
under the question of an edit that is over never changes the event being edited now."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.core.clock import FrozenClock
from bot.services.faq import FaqService
from bot.texts import events_admin as t
from storage.models import Event, User
from tests.conftest import ADMIN, TEACHER, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import SentMessage
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


async def draft_to_preview(h: BotHarness, title: str) -> SentMessage:
    """/new_event answered step by step in words: the preview with «Опубликовать»."""
    await h.say(ADMIN, "/new_event")
    await h.say(ADMIN, title)
    for answer in ("семинар", "20.03 10:00", "60", "Очно", "МОЦ, ул. Школьная, 3", "15"):
        await h.say(ADMIN, answer)
    await h.say(ADMIN, "без срока")
    preview = await h.say(ADMIN, "пропустить")
    assert title in body(preview) and t.BTN_PUBLISH in preview.inline_texts
    return preview


async def test_publish_under_a_dropped_drafts_preview_does_not_publish_the_open_one(
    harness: BotHarness,
) -> None:
    """Draft А reached its preview and was dropped (/cancel); draft Б is at its own preview.
    «Опубликовать» under А's preview used to publish Б — unread, under the wrong card."""
    h = harness
    old = await draft_to_preview(h, "Семинар А")
    assert body(await h.say(ADMIN, "/cancel")) == texts.CANCELLED
    new = await draft_to_preview(h, "Семинар Б")

    h.server.press(old, t.BTN_PUBLISH, user=ADMIN)
    await h.server.idle()
    assert answers(h)[-1].get("text") == t.ALREADY_DONE
    assert await titles(h) == []

    published = await h.press(ADMIN, new, t.BTN_PUBLISH)  # Б's own preview still publishes
    assert "Опубликовано" in body(published) and "Семинар Б" in body(published)
    assert await titles(h) == ["Семинар Б"]


async def titles(h: BotHarness) -> list[str]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Event.title))).all())


async def test_after_a_double_tap_on_a_field_either_copy_of_its_question_answers(
    harness: BotHarness,
) -> None:
    """«Длительность» tapped twice sends the question twice; a button under the first copy
    is still this edit's answer, not an old one."""
    h = harness
    event_id = await seed_event(h.sessionmaker, title="Семинар А")
    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    h.server.press(fields, "Длительность", user=ADMIN)
    h.server.press(fields, "Длительность", user=ADMIN)
    first, _second = await h.server.next_message(ADMIN.id), await h.server.next_message(ADMIN.id)
    saved = await h.press(ADMIN, first, "120 мин")
    assert "Сохранено: Длительность" in body(saved)
    assert (await load_event(h.sessionmaker, event_id)).duration_min == 120


async def restart(h: BotHarness, faq: FaqService, clock: FrozenClock) -> None:
    """A new Dispatcher on the same database and fake server, on the test's frozen clock."""
    await stop_bot(h.dp, h.task)
    h.bot, h.dp, h.task = await start_bot(h.server, h.settings, h.sessionmaker, faq, clock)


async def test_buttons_sent_before_a_restart_still_answer_the_open_dialogs(
    harness: BotHarness, faq_service: FaqService, clock: FrozenClock
) -> None:
    """What marks a dialog's own messages is in the dialog's stored state: after a restart
    the preview's «Опубликовать» and an edit question's button still work."""
    h = harness
    preview = await draft_to_preview(h, "Семинар после перезапуска")
    await restart(h, faq_service, clock)
    published = await h.press(ADMIN, preview, t.BTN_PUBLISH)
    assert "Опубликовано" in body(published)
    (event_id,) = [e.id for e in await events(h)]

    h.server.press(published, "✏️ Изменить", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    question = await h.press(ADMIN, fields, "Длительность")
    await restart(h, faq_service, clock)
    saved = await h.press(ADMIN, question, "120 мин")
    assert "Сохранено: Длительность" in body(saved)
    assert (await load_event(h.sessionmaker, event_id)).duration_min == 120


async def events(h: BotHarness) -> list[Event]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Event))).all())
