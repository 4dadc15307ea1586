"""An outside QA pass over the teachers' events, in Telegram and MAX: what staff change after
teachers registered (more seats, a new time, a cancellation) and what each teacher is then told
— or must not be told."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.core.clock import FrozenClock
from bot.services.events.cards import day_text
from bot.services.faq import FaqService
from bot.texts import events as te
from bot.texts import events_admin as t
from storage.db import SessionMaker
from storage.models import Broadcast, Event, EventStatus, Registration, User
from storage.repositories import Repositories
from storage.repositories.events import SeatResult
from tests.conftest import ADMIN, TEACHER, make_settings, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, SentMessage
from tests.helpers.events import (
    load_event,
    register,
    registration_status,
    seed_event,
    seed_teacher,
)
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    max_answer,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
)
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")


async def telegram_then_max(h: Both, event_id: int) -> tuple[tuple[int, str], SeatResult]:
    """The Telegram teacher (with a profile) takes a place, then the MAX teacher: their
    results, as (registration id, outcome) and the repository's SeatResult."""
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    telegram = await register(h.sessionmaker, event_id, TEACHER)
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        seat = await repo.events.register(event_id, uid)
        await repo.commit()
    return telegram, seat


async def held_event_with_a_queue(h: Both, starts_at: datetime) -> tuple[int, int]:
    """One seat, taken by the Telegram teacher; the MAX teacher waits for it: the waiting
    registration's id."""
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=starts_at, title="Семинар")
    (_, outcome), waiting = await telegram_then_max(h, event_id)
    assert outcome == "registered"
    assert waiting.outcome == "waiting"
    return event_id, waiting.registration.id


async def staff_sets(h: Both, event_id: int, field: str, value: str) -> SentMessage:
    """A Telegram staff member changes one field of the event from its card's «Изменить»:
    the bot's «Сохранено» answer."""
    h.tg.user_sends("/help", user=ADMIN)
    anchor = await h.tg.next_message(ADMIN.id)
    h.tg.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.tg.next_message(ADMIN.id)
    h.tg.press(fields, t.FIELD_LABELS[field], user=ADMIN)
    await h.tg.next_message(ADMIN.id)
    h.tg.user_sends(value, user=ADMIN)
    return await h.tg.next_message(ADMIN.id)


async def test_more_seats_for_a_held_event_promote_nobody(both: Both) -> None:
    """Staff raise the seats of a seminar held two days ago (more came than planned, for the
    report): the teacher still in its waiting list got «🎉 Освободилось место — вы записаны»
    and a calendar file for the past, and counted as a participant."""
    h = both
    held = datetime.now(UTC) - timedelta(days=2)
    event_id, waiting_id = await held_event_with_a_queue(h, held)
    before = len(h.max.sent_to(TEACHER_MAX))

    saved = await staff_sets(h, event_id, "capacity", "3")
    assert "Сохранено: Число мест" in (saved.text or "")

    await asyncio.sleep(1.5)
    assert [m.plain for m in h.max.sent_to(TEACHER_MAX)[before:]] == []
    assert await registration_status(h.sessionmaker, waiting_id) == "waiting"
    assert (await load_event(h.sessionmaker, event_id)).taken == 1


async def test_more_seats_after_registration_closed_move_the_waiting_list_up(both: Both) -> None:
    """Staff closed registration, then found a bigger room and raised the seats: the teacher
    waiting in MAX stayed waiting — a seat given back would have reached them, new seats did
    not — and the seats sat empty."""
    h = both
    event_id, waiting_id = await held_event_with_a_queue(h, SOON)
    await h.start(TEACHER_MAX, f"event_{event_id}")  # the MAX teacher's dialog with the bot
    async with h.sessionmaker() as session:
        await session.execute(
            update(Event).where(Event.id == event_id).values(status=EventStatus.CLOSED)
        )
        await session.commit()

    saved = await staff_sets(h, event_id, "capacity", "3")
    assert "Сохранено: Число мест" in (saved.text or "")

    told = await arrives(h, "Освободилось место")
    assert "Семинар" in told
    assert await registration_status(h.sessionmaker, waiting_id) == "registered"
    event = await load_event(h.sessionmaker, event_id)
    assert (event.taken, event.status) == (2, EventStatus.CLOSED)  # still closed to newcomers


async def test_a_new_address_for_a_held_event_is_not_news_to_its_teachers(both: Both) -> None:
    """Staff correct the address of a seminar held two days ago (for the report): everyone who
    was registered or waiting got «🔔 Изменилось место» about a day that is over."""
    h = both
    held = datetime.now(UTC) - timedelta(days=2)
    event_id, _ = await held_event_with_a_queue(h, held)
    before = len(h.max.sent_to(TEACHER_MAX))

    saved = await staff_sets(h, event_id, "place", "ул. Мира, 5, актовый зал")
    assert "Сохранено: Место" in (saved.text or "")
    assert "уведомление" not in (saved.text or "")

    await asyncio.sleep(2)
    assert h.tg.sent_to(TEACHER.id) == []
    assert [m.plain for m in h.max.sent_to(TEACHER_MAX)[before:]] == []
    assert "уведомление" not in " ".join(m.text or "" for m in h.tg.sent_to(ADMIN.id))
    assert (await load_event(h.sessionmaker, event_id)).place == "ул. Мира, 5, актовый зал"


async def test_a_longer_seminar_is_news_to_its_teachers_in_both_messengers(both: Both) -> None:
    """A 90-minute seminar becomes three hours: its end moves from 16:30 to 18:00 — a new
    time teachers plan their day around, yet only a new start or place was told to them."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Проекты»")
    await telegram_then_max(h, event_id)
    h.max.dialog(TEACHER_MAX)  # the MAX teacher has a dialog with the bot, as anyone registered
    end = (SOON + timedelta(minutes=180)).astimezone(h.settings.tz)

    saved = await staff_sets(h, event_id, "duration", "3 ч")
    assert "Сохранено: Длительность" in (saved.text or "")
    told = await h.tg.next_message(ADMIN.id)
    assert "уведомление" in (told.text or "")

    notice = await h.tg.next_message(TEACHER.id, timeout=15)
    assert "Изменилось время" in (notice.text or "")
    assert f"–{end:%H:%M}" in (notice.text or "")
    in_max = await arrives(h, "Изменилось время")
    assert "Семинар «Проекты»" in in_max and f"–{end:%H:%M}" in in_max
    assert (await load_event(h.sessionmaker, event_id)).duration_min == 180


async def call_off(sm: SessionMaker, event_id: int) -> None:
    """Staff have called the event off (their dialog is tested in test_e2e_events_admin)."""
    async with sm() as session:
        off = update(Event).where(Event.id == event_id).values(status=EventStatus.CANCELLED)
        await session.execute(off)
        await session.commit()


async def arrives(h: Both, words: str) -> str:
    """The MAX teacher's message with `words`, once it came."""
    for _ in range(300):
        found = [m.plain for m in h.max.sent_to(TEACHER_MAX) if words in m.plain]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    got = [m.plain for m in h.max.sent_to(TEACHER_MAX)]
    raise TimeoutError(f"{words!r} never reached the MAX teacher: {got}")


async def test_an_old_calendar_button_of_a_called_off_event_sends_no_file(both: Both) -> None:
    """The card of a cancelled event hides «📅 В календарь», yet the button on the card the
    teacher opened before staff called it off still sent an .ics: a calendar entry for a
    seminar that is not going to happen. Both messengers."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар")
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, event_id, TEACHER)
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await press_and_wait(h, shown, te.BTN_REGISTER, 2)  # «Вы записаны», the .ics; card edited
    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    assert te.BTN_ICS in card.inline_texts
    await call_off(h.sessionmaker, event_id)
    before = len(h.max.sent_to(TEACHER_MAX))

    h.tg.press(card, te.BTN_ICS, user=TEACHER)
    told = (await h.tg.callback_answer()).params
    assert told.get("text") == te.ICS_EVENT_OFF and told.get("show_alert")
    callback = h.max.press_payload(TEACHER_MAX, shown, f"ev:ics:{event_id}")
    assert await max_answer(h, callback) == te.ICS_EVENT_OFF
    await h.tg.idle()
    await asyncio.sleep(1)
    assert h.tg.sent_to(TEACHER.id) == [card]
    assert len(h.max.sent_to(TEACHER_MAX)) == before


async def test_registering_for_a_workshop_names_every_meeting(both: Both) -> None:
    """A workshop of three meetings: «🎉 Вы записаны» (and «Освободилось место») gave only the
    first date, as if it were one seminar — the teacher did not learn the other two."""
    h = both
    days = [SOON + timedelta(days=7 * n) for n in range(3)]
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        workshop = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=days[0], duration_min=90,
            format="offline", place="ул. Ленина, 1", capacity=1, taken=0,
            status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, days)
        await repo.commit()
        event_id = workshop.id
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    registered, _ = await press_and_wait(h, shown, te.BTN_REGISTER, 2)  # and the .ics
    assert "Вы записаны" in registered.plain
    for day in days:
        assert day_text(day, h.settings.tz) in registered.plain, registered.plain


async def test_a_seminar_called_off_in_telegram_is_told_to_a_max_teacher_and_the_queue(
    both: Both,
) -> None:
    """Staff in Telegram call off a full seminar: the MAX teacher with the seat and the
    Telegram teacher in its waiting list each get «Мероприятие отменено», once."""
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар <ИКТ>")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await press_and_wait(h, shown, te.BTN_REGISTER, 2)  # «Вы записаны», the .ics; card edited
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    assert (await register(h.sessionmaker, event_id, TEACHER))[1] == "waiting"

    h.tg.user_sends("/help", user=ADMIN)
    anchor = await h.tg.next_message(ADMIN.id)
    h.tg.press_data(anchor, f"eva:cancel:{event_id}", user=ADMIN)
    await h.tg.idle()
    confirm = h.tg.messages[(ADMIN.id, anchor.message_id)]
    h.tg.press(confirm, t.BTN_CANCEL_EVENT_YES, user=ADMIN)

    notice = await h.tg.next_message(TEACHER.id, timeout=15)
    assert "Мероприятие отменено" in (notice.text or "") and "Семинар <ИКТ>" in (notice.text or "")
    in_max = await arrives(h, "Мероприятие отменено")
    assert "Семинар <ИКТ>" in in_max
    await asyncio.sleep(1)
    assert len(h.tg.sent_to(TEACHER.id)) == 1
    assert [m.plain for m in h.max.sent_to(TEACHER_MAX)].count(in_max) == 1


def uids(ics: SentMessage) -> list[bytes]:
    assert ics.document is not None and ics.document.filename.endswith(".ics")
    return [line for line in ics.document.data.split(b"\r\n") if line.startswith(b"UID:")]


async def test_a_moved_seminars_new_calendar_file_updates_the_old_entry(both: Both) -> None:
    """Staff move a seminar; the teacher takes «📅 В календарь» again to get the new time. The
    file carried a new UID (the id of the new session row), so the calendar kept the entry at
    the old time — with its alarm an hour before it — next to the new one."""
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар")
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    h.tg.press(card, te.BTN_REGISTER, user=TEACHER)
    assert "Вы записаны" in ((await h.tg.next_message(TEACHER.id)).text or "")
    first = await h.tg.next_message(TEACHER.id)

    later = (SOON + timedelta(days=2)).astimezone(h.settings.tz)
    saved = await staff_sets(h, event_id, "starts", f"{later:%d.%m.%Y %H:%M}")
    assert "Сохранено: Дата и время" in (saved.text or "")
    assert "Изменилось время" in ((await h.tg.next_message(TEACHER.id, timeout=15)).text or "")

    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    h.tg.press(card, te.BTN_ICS, user=TEACHER)
    second = await h.tg.next_message(TEACHER.id)
    assert first.document is not None and second.document is not None
    assert first.document.data != second.document.data  # the new time
    assert uids(second) == uids(first)


async def test_leaving_the_waiting_list_after_the_deadline_is_no_late_cancellation(
    both: Both,
) -> None:
    """A teacher in the waiting list leaves it after registration closed: told «мы отметили
    это, чтобы организаторы знали о свободном месте» — there was no seat — and counted among
    the late cancellations of the year's report."""
    h = both
    closed = datetime.now(UTC) - timedelta(hours=1)
    event_id = await seed_event(
        h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар", registration_deadline=closed
    )
    (_, outcome), waiting = await telegram_then_max(h, event_id)
    assert outcome == "registered"
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    confirm = await press_to_edit(h, shown, te.BTN_LEAVE_WAITLIST)  # the card asks
    (said,) = await press_and_wait(h, confirm, te.BTN_LEAVE_YES, 1)  # the card turns back

    assert said.plain == "Вы вышли из листа ожидания на «Семинар»."  # no «запись отменена»
    async with h.sessionmaker() as session:
        row = await session.get(Registration, waiting.registration.id)
        assert row is not None and row.status == "cancelled" and not row.cancelled_late


async def test_a_freed_seat_skips_a_waiting_teacher_who_blocked_the_bot(both: Both) -> None:
    """The first in line has blocked the bot (the bot learnt it from a 403): the freed seat
    went to them — never told, so never coming — while the next teacher, who can be told,
    stayed waiting for a seat that sat empty."""
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    assert (await register(h.sessionmaker, event_id, TEACHER))[1] == "registered"
    gone_id, outcome = await register(h.sessionmaker, event_id, SECOND)
    assert outcome == "waiting"
    async with h.sessionmaker() as session:
        await session.execute(update(User).where(User.id == SECOND.id).values(is_active=False))
        await session.commit()
    h.tg.block(SECOND.id)
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await press_and_wait(h, shown, te.BTN_WAITLIST, 1)  # «лист ожидания»; card edited

    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    h.tg.press(card, te.BTN_CANCEL_REG, user=TEACHER)
    await h.tg.idle()
    confirm = h.tg.messages[(TEACHER.id, card.message_id)]  # the card became the question
    h.tg.press(confirm, te.BTN_CANCEL_YES, user=TEACHER)

    told = await arrives(h, "Освободилось место")
    assert "Семинар" in told
    assert await registration_status(h.sessionmaker, gone_id) == "waiting"


async def test_a_held_seminar_cannot_be_called_off_in_either_messenger(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """«🚫 Отменить мероприятие» under the card of a seminar held two days ago (a misclick,
    an old card): every participant got «Мероприятие отменено… Приносим извинения» for a day
    they had, and the year's report lost the event with its attendance."""
    admin_max = MaxUser(50_000_000_999, "Анна", "Методист")
    overrides = {"max_admin_ids": str(admin_max.user_id)}
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, **overrides
    ) as h:
        held = datetime.now(UTC) - timedelta(days=2)
        event_id, _ = await held_event_with_a_queue(h, held)
        before = len(h.max.sent_to(TEACHER_MAX))

        h.tg.user_sends("/help", user=ADMIN)
        anchor = await h.tg.next_message(ADMIN.id)
        for action in ("cancel", "cancel_yes"):  # the card's button, an old confirmation
            h.tg.press_data(anchor, f"eva:{action}:{event_id}", user=ADMIN)
            told = (await h.tg.callback_answer()).params
            assert told.get("text") == t.CANCEL_HELD and told.get("show_alert")
        card = await h.start(admin_max, f"event_{event_id}")
        for action in ("cancel", "cancel_yes"):
            callback = h.max.press_payload(admin_max, card, f"eva:{action}:{event_id}")
            assert await max_answer(h, callback) == t.CANCEL_HELD

        await asyncio.sleep(1.5)
        assert h.tg.sent_to(TEACHER.id) == []
        assert len(h.max.sent_to(TEACHER_MAX)) == before
        assert (await load_event(h.sessionmaker, event_id)).status == EventStatus.PUBLISHED


async def test_a_held_seminar_cannot_be_called_off_in_the_panel(
    db_path: Path, sessionmaker: SessionMaker
) -> None:
    """The panel's «Отменить мероприятие» on the page of a seminar held yesterday: refused
    with the bot's words, nobody told, the event stays in the report."""
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    settings = make_settings(db_path, web_secret="panel-test-secret")
    held = clock.now() - timedelta(days=1)
    event_id = await seed_event(sessionmaker, starts_at=held, title="Семинар")
    await seed_teacher(sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(sessionmaker, event_id, TEACHER)
    panel = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        csrf = await sign_in(panel, settings, clock)
        form = {"sure": "yes", "csrf": csrf}
        page = await (await panel.post(f"/web/events/{event_id}/cancel", data=form)).text()
    finally:
        await panel.close()
    assert "отменить его нельзя" in page
    assert (await load_event(sessionmaker, event_id)).status == EventStatus.PUBLISHED
    async with sessionmaker() as session:
        assert (await session.scalars(select(Broadcast))).all() == []
