"""/my_data tells everything kept, and withdrawing the mailing consent is one command."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import SystemClock
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness
from tests.test_e2e_events import open_card, seed_event, seed_teacher


async def test_my_data_counts_the_cancelled_and_attended_registrations_it_keeps(
    harness: BotHarness,
) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER)
    first = await seed_event(h.sessionmaker, capacity=5, title="Прошедший семинар")
    second = await seed_event(h.sessionmaker, capacity=5, title="Отменённая запись")
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        attended = (await repo.events.register(first, TEACHER.id)).registration
        cancelled = (await repo.events.register(second, TEACHER.id)).registration
        assert attended is not None and cancelled is not None
        await repo.events.mark_attended(attended.id, True)
        await repo.events.cancel(cancelled, SystemClock().now(), promote=True)
        await repo.commit()
    shown = await h.say(TEACHER, "/my_data")
    assert "Записей на мероприятия: 2" in shown.text, shown.text  # both rows are kept


async def test_unsubscribe_withdraws_the_mailing_consent(harness: BotHarness) -> None:
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        profile = await repo.profiles.get(TEACHER.id)
        assert profile is not None
        profile.mailing_consent = True
        await repo.profiles.give_consent(TEACHER.id, "mailing", "2026-11-25")
        await repo.chats.subscribe(TEACHER.id, "teachers")
        await repo.commit()
    before = await h.say(TEACHER, "/my_data")
    assert "на рассылку (версия 2026-11-25)" in before.text and ", отозвано" not in before.text

    await h.say(TEACHER, "/unsubscribe")
    after = await h.say(TEACHER, "/my_data")
    today = datetime.now(UTC).astimezone(h.settings.tz).strftime("%d.%m.%Y")
    assert f"на рассылку (версия 2026-11-25), дано {today}, отозвано {today}" in after.text
    assert "Подписки на новости: нет" in after.text
    assert "Анонсы мероприятий: нет" in (await h.say(TEACHER, "/profile")).text


async def test_yes_to_announcements_in_the_form_subscribes_and_no_later_unsubscribes(
    harness: BotHarness,
) -> None:
    """«Да, присылать» was recorded but subscribed nobody: the teacher never got the news."""
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=30)
    card = await open_card(h, TEACHER, event_id)
    consent = await h.press(TEACHER, card, "✅ Записаться")  # type: ignore[arg-type]
    await h.press(TEACHER, consent, "✅ Согласен(на)")
    await h.say(TEACHER, "Сидоров Пётр Ильич")
    ask_pos = await h.say(TEACHER, "МБУ ДО «ДДТ»")
    await h.press(TEACHER, ask_pos, "Методист")
    await h.say(TEACHER, "8 (900) 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    saved = await h.press(TEACHER, mailing, "Да, присылать")
    assert "Профиль сохранён" in saved.text
    assert "Вы записаны" in (await h.server.next_message(TEACHER.id)).text
    assert (await h.server.next_message(TEACHER.id)).document is not None  # the .ics
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(TEACHER.id) == ["teachers"]
    shown = await h.say(TEACHER, "/my_data")
    assert "Подписки на новости: Педагоги" in shown.text, shown.text

    gone = await h.say(TEACHER, "/unsubscribe")
    assert "отписались" in gone.text, gone.text
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(TEACHER.id) == []
