"""МОЦ staff and events, through the real bot and the fake Bot API: the new-event dialog with
every kind of wrong answer, editing, closing and cancelling with notices to teachers, the
participant list and its exports, attendance, the report — and teachers locked out of it all."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Router
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import handlers
from bot import texts
from bot.app import factory as bot_app
from bot.core.clock import FrozenClock
from bot.services.faq import FaqService
from handlers import events_admin, staff
from storage.db import SessionMaker
from storage.models import Event, EventStatus, RegistrationStatus, User
from tests.conftest import ADMIN, TEACHER, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeTelegramServer, FakeUser, SentMessage
from tests.helpers.events import (
    START,
    load_event,
    register,
    registration_status,
    seed_event,
    seed_teacher,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday, 12:00 in Moscow (settings.tz)
SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")
THIRD = FakeUser(id=2004, first_name="Иван", last_name="Кузнецов")


def routers_with_events_admin() -> list[Router]:
    """handlers.get_routers() with the staff events router before `staff`, unless wired."""
    routers = handlers.get_routers()
    if any(router.name == events_admin.__name__ for router in routers):
        return routers
    at = next(i for i, router in enumerate(routers) if router.name == staff.__name__)
    return [*routers[:at], events_admin.create_router(), *routers[at:]]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def harness(
    server: FakeTelegramServer,
    settings: Any,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[BotHarness]:
    monkeypatch.setattr(bot_app, "get_routers", routers_with_events_admin)
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service, clock)
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)
    yield h
    await stop_bot(h.dp, h.task)


async def staff_message(h: BotHarness) -> SentMessage:
    """Any bot message in the admin's chat, to put (possibly forged) button data on."""
    return await h.say(ADMIN, "/help")


async def press_data(h: BotHarness, user: FakeUser, message: SentMessage, data: str) -> None:
    h.server.press_data(message, data, user=user)
    await h.server.idle()


def body(message: SentMessage) -> str:
    """What the user reads: the text or the caption."""
    return message.text or ""


def answers(h: BotHarness) -> list[dict[str, Any]]:
    return [c.params for c in h.server.calls if c.method == "answercallbackquery"]


# --- creating an event --------------------------------------------------------------------------


async def test_admin_creates_an_event_step_by_step_with_every_mistake(
    harness: BotHarness,
) -> None:
    h = harness
    ask_title = await h.say(ADMIN, "/new_event")
    assert "Новое мероприятие" in body(ask_title)
    h.server.user_sends(user=ADMIN, extra=SAMPLE_MEDIA["sticker"])
    assert "текстом" in body(await h.server.next_message(ADMIN.id))
    assert "до 200 символов" in body(await h.say(ADMIN, "я" * 201))
    ask_kind = await h.say(ADMIN, "Семинар «Функциональная грамотность» & <практика>")
    assert "Семинар" in ask_kind.inline_texts
    ask_start = await h.press(ADMIN, ask_kind, "Семинар")
    assert "начало" in body(ask_start).lower() and "Europe/Moscow" in body(ask_start)

    assert "Такой даты нет" in body(await h.say(ADMIN, "31.02.2026 10:00"))
    assert "Не понял дату" in body(await h.say(ADMIN, "в четверг после обеда"))
    assert "уже прошло" in body(await h.say(ADMIN, "01.03.2026 10:00"))
    ask_duration = await h.say(ADMIN, "25.03.2026 15:00")
    assert "90 мин" in ask_duration.inline_texts
    assert "от 1 до 1440" in body(await h.say(ADMIN, "9000"))
    ask_format = await h.press(ADMIN, ask_duration, "90 мин")
    ask_place = await h.press(ADMIN, ask_format, "Очно")
    assert "Адрес" in body(ask_place)
    await h.say(ADMIN, "ул. Ленина, 1, каб. 5")

    assert "больше нуля" in body(await h.say(ADMIN, "0"))
    assert "цифрами" in body(await h.say(ADMIN, "abc"))
    assert "больше нуля" in body(await h.say(ADMIN, "-3"))
    ask_deadline = await h.say(ADMIN, "30")
    assert "Без срока" in ask_deadline.inline_texts
    assert "позже начала" in body(await h.say(ADMIN, "26.03.2026 10:00"))
    assert "Не понял дату" in body(await h.say(ADMIN, "скоро"))
    ask_description = await h.say(ADMIN, "24.03.2026 18:00")
    assert "до 3000 символов" in body(await h.say(ADMIN, "д" * 3001))
    preview = await h.press(ADMIN, ask_description, "Пропустить")
    assert "Так карточку увидят педагоги" in body(preview)
    assert "Семинар «Функциональная грамотность» & <практика>" in body(preview)  # escaped
    assert "ср, 25 марта 2026, 15:00–16:30" in body(preview)
    assert "осталось 30 из 30" in body(preview) and "ул. Ленина, 1, каб. 5" in body(preview)

    h.server.press(preview, "✅ Опубликовать", user=ADMIN)  # a double tap
    h.server.press(preview, "✅ Опубликовать", user=ADMIN)
    published = await h.server.next_message(ADMIN.id)
    await h.server.idle()
    assert "Опубликовано" in body(published) and "👥 Участники" in published.inline_texts
    assert sum("Опубликовано" in body(m) for m in h.server.sent_to(ADMIN.id)) == 1
    assert any("уже опубликован" in a.get("text", "") for a in answers(h)[-2:])

    async with h.sessionmaker() as session:
        events = (await session.scalars(select(Event).options(selectinload(Event.sessions)))).all()
    assert len(events) == 1
    event = events[0]
    assert event.title == "Семинар «Функциональная грамотность» & <практика>"
    assert event.starts_at == START  # 15:00 Moscow is 12:00 UTC
    assert event.registration_deadline == datetime(2026, 3, 24, 15, 0, tzinfo=UTC)
    assert (event.kind, event.duration_min, event.format, event.capacity) == (
        "seminar", 90, "offline", 30,
    )  # fmt: skip
    assert (event.status, event.taken, event.description, event.created_by) == (
        "published", 0, "", ADMIN.id,
    )  # fmt: skip
    assert [s.starts_at for s in event.sessions] == [START]


async def test_online_workshop_with_sessions_survives_a_restart(
    harness: BotHarness, faq_service: FaqService, clock: FrozenClock
) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, "Мастерская «Проектная деятельность»")
    await h.press(ADMIN, ask_kind, "Педагогическая мастерская")
    ask_sessions = await h.say(ADMIN, "завтра 15:00")
    assert "следующих занятий" in body(ask_sessions) and "11.03.2026 15:00" in body(ask_sessions)
    assert "раньше первого" in body(await h.say(ADMIN, "сегодня 18:00"))
    assert "дважды" in body(await h.say(ADMIN, "18.03 15:00, 18.03 15:00"))
    await h.say(ADMIN, "18.03 15:00,\n25.03 15:00")

    await stop_bot(h.dp, h.task)  # the bot restarts in the middle of the dialog
    h.bot, h.dp, h.task = await start_bot(h.server, h.settings, h.sessionmaker, faq_service, clock)

    ask_format = await h.say(ADMIN, "2 ч")
    assert "Формат" in body(ask_format)
    ask_place = await h.press(ADMIN, ask_format, "Онлайн")
    assert "Ссылка" in body(ask_place)
    assert "http://" in body(await h.say(ADMIN, "в зуме, ссылку пришлю"))
    await h.say(ADMIN, "https://telemost.yandex.ru/j/123")
    ask_deadline = await h.say(ADMIN, "25")
    await h.press(ADMIN, ask_deadline, "Без срока")
    preview = await h.say(ADMIN, "Для педагогов <b>ДО</b>.")
    assert "Занятия серии" in body(preview) and "3. ср, 25 марта 2026" in body(preview)
    assert "Онлайн — ссылка придёт после записи" in body(preview)  # as teachers see it
    assert "https://telemost.yandex.ru/j/123" in body(preview)  # the admin's own check
    assert "Для педагогов <b>ДО</b>." in body(preview)
    assert "«Опубликовать»" in body(await h.say(ADMIN, "ок"))

    published = await h.press(ADMIN, preview, "✅ Опубликовать")
    assert "Опубликовано" in body(published)
    async with h.sessionmaker() as session:
        event = (await session.scalars(select(Event).options(selectinload(Event.sessions)))).one()
    assert [s.starts_at.day for s in event.sessions] == [11, 18, 25]
    assert all(s.starts_at.hour == 12 and s.duration_min == 120 for s in event.sessions)
    assert (event.kind, event.format, event.place) == (
        "workshop", "online", "https://telemost.yandex.ru/j/123",
    )  # fmt: skip
    assert event.registration_deadline is None and event.capacity == 25


async def test_cancel_stale_buttons_and_discard_leave_nothing(harness: BotHarness) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    await h.say(ADMIN, "Черновик")
    assert body(await h.say(ADMIN, "/cancel")) == texts.CANCELLED

    await h.say(ADMIN, "/new_event")
    ask_kind = await h.say(ADMIN, "Круглый стол «Итоги года»")
    assert "кнопкой" in body(await h.say(ADMIN, "что-то своё"))
    await h.say(ADMIN, "круглый стол")  # a typed label does as well as the button
    await press_data(h, ADMIN, ask_kind, "evn:kind:seminar")  # a button of a passed step
    assert answers(h)[-1]["text"] == "Этот шаг уже пройден."
    for answer in ("20.03 10:00", "60", "Очно", "МОЦ, ул. Школьная, 3", "15", "без срока"):
        await h.say(ADMIN, answer)
    preview = await h.say(ADMIN, "пропустить")
    assert "Круглый стол" in body(preview) and "пт, 20 марта 2026, 10:00–11:00" in body(preview)
    discarded = await h.press(ADMIN, preview, "Отмена")
    assert discarded.text == "Черновик удалён, ничего не опубликовано."
    await press_data(h, ADMIN, preview, "evn:publish:")
    assert "уже опубликован или удалён" in answers(h)[-1]["text"]
    async with h.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 0


async def test_a_start_that_passed_before_publishing_is_asked_again(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    await h.say(ADMIN, "/new_event")
    answers_ = ("Конференция «Наставничество»", "Конференция", "завтра 10:00", "90", "Очно")
    for answer in (*answers_, "ДК «Юность»", "100", "сегодня 20:00"):
        await h.say(ADMIN, answer)
    preview = await h.say(ADMIN, "пропустить")
    clock.advance(timedelta(days=2))  # the button is pressed two days later
    h.server.press(preview, "✅ Опубликовать", user=ADMIN)
    assert "время начала прошло" in body(await h.server.next_message(ADMIN.id))
    ask_start = await h.server.next_message(ADMIN.id)
    assert "Когда <b>начало</b>" in (ask_start.raw_text or "")
    ask_deadline = await h.say(ADMIN, "20.03 10:00")
    assert "Без срока" in ask_deadline.inline_texts  # the old deadline has passed too
    preview = await h.press(ADMIN, ask_deadline, "Без срока")
    assert "ДК «Юность»" in body(preview) and "пт, 20 марта 2026, 10:00–11:30" in body(preview)
    assert "Опубликовано" in body(await h.press(ADMIN, preview, "✅ Опубликовать"))
    async with h.sessionmaker() as session:
        event = (await session.scalars(select(Event))).one()
    assert event.starts_at == datetime(2026, 3, 20, 7, 0, tzinfo=UTC)
    assert (event.registration_deadline, event.capacity) == (None, 100)


# --- participants, exports, attendance ----------------------------------------------------------


async def test_participants_list_and_exports(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров <Пётр> Ильич", "=ДДТ & филиал")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    assert (await register(h.sessionmaker, event_id, TEACHER))[1] == "registered"
    assert (await register(h.sessionmaker, event_id, SECOND))[1] == "waiting"

    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:people:{event_id}", user=ADMIN)
    listing = await h.server.next_message(ADMIN.id)
    assert "Занято мест: 1 из 1" in body(listing)
    line = "1. Сидоров <Пётр> Ильич — =ДДТ & филиал, Учитель, +7 900 000-00-00 — записан"
    assert line in body(listing)
    assert "Лист ожидания (1):\n1-й: Петрова Ольга Ивановна" in body(listing)
    assert listing.inline_texts == ["📥 Excel", "CSV"]

    xlsx = await h.press(ADMIN, listing, "📥 Excel")
    assert xlsx.document is not None and xlsx.document.filename == f"uchastniki-{event_id}.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx.document.data)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[1] for r in rows] == ["Сидоров <Пётр> Ильич", "Петрова Ольга Ивановна"]
    assert rows[0][2] == "=ДДТ & филиал"  # a text cell: a formula would run on a staff computer
    assert [r[6] for r in rows] == ["записан", "в листе ожидания"]

    table = await h.press(ADMIN, listing, "CSV")
    assert table.document is not None and table.document.filename == f"uchastniki-{event_id}.csv"
    lines = list(csv.reader(io.StringIO(table.document.data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][1] == "ФИО" and lines[1][1] == "Сидоров <Пётр> Ильич"


async def test_a_long_list_is_split_into_several_messages(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=100)
    for n in range(70):
        user = FakeUser(id=3000 + n, first_name=f"Педагог{n}")
        name = f"Участникова-Длиннофамильная Анна Сергеевна {n:02d} <{n}>"
        await seed_teacher(h.sessionmaker, user, name, "МБУ ДО «Дом детского творчества»")
        await register(h.sessionmaker, event_id, user)
    anchor = await staff_message(h)
    await press_data(h, ADMIN, anchor, f"eva:people:{event_id}")
    parts = h.server.drain(ADMIN.id)
    assert len(parts) >= 2
    assert all(len(body(p)) <= 4096 for p in parts)
    assert [bool(p.inline_texts) for p in parts] == [False] * (len(parts) - 1) + [True]
    whole = "\n".join(body(p) for p in parts)
    assert "70. Участникова-Длиннофамильная Анна Сергеевна 69 <69>" in whole


async def test_attendance_toggles(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=NOW - timedelta(hours=1))  # begun
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)
    await register(h.sessionmaker, event_id, SECOND)

    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:attend:{event_id}", user=ADMIN)
    marks = await h.server.next_message(ADMIN.id)
    assert "Присутствие" in body(marks)
    assert marks.inline_texts[:2] == ["⬜ Петрова О.И.", "⬜ Сидоров П.И."]

    await press_data(h, ADMIN, marks, marks.button("⬜ Сидоров П.И.").callback_data or "")
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.ATTENDED
    current = h.server.messages[(ADMIN.id, marks.message_id)]
    assert "✅ Сидоров П.И." in current.inline_texts and "⬜ Петрова О.И." in current.inline_texts

    await press_data(h, ADMIN, marks, f"att:{reg_id}:0")
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.REGISTERED
    assert "⬜ Сидоров П.И." in h.server.messages[(ADMIN.id, marks.message_id)].inline_texts
    assert answers(h)[-1]["text"] == "Отметка снята."


# --- editing, closing, cancelling ---------------------------------------------------------------


async def test_edit_capacity_place_and_time_notify_participants(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=2)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    await register(h.sessionmaker, event_id, TEACHER)
    await register(h.sessionmaker, event_id, SECOND)

    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    ask = await h.press(ADMIN, fields, "Число мест")
    assert "занято 2" in body(ask)
    assert "Уже занято мест: 2" in body(await h.say(ADMIN, "1"))
    saved = await h.say(ADMIN, "40")
    assert "Сохранено: Число мест" in body(saved) and "осталось 38 из 40" in body(saved)
    assert h.server.drain(TEACHER.id) == []  # capacity is not news for teachers

    await h.press(ADMIN, fields, "Место / ссылка")
    saved = await h.say(ADMIN, "ул. Мира, 5 <актовый зал>")
    assert "Сохранено: Место" in body(saved)
    notice = await h.server.next_message(TEACHER.id)
    assert "Изменилось место" in body(notice) and "ул. Мира, 5 <актовый зал>" in body(notice)
    assert "Изменилось место" in body(await h.server.next_message(SECOND.id))
    # «отправляется уведомление», then the report — unless the worker's 5-second poll found
    # the committed notice before the bot told the author (a busy machine): either order
    told = {body(await h.server.next_message(ADMIN.id)) for _ in range(2)}
    assert any("отправляется уведомление" in text for text in told)
    assert any("Доставлено: 2 из 2" in text for text in told)  # the report

    await h.press(ADMIN, fields, "Дата и время")
    assert "уже прошло" in body(await h.say(ADMIN, "01.03.2026 10:00"))
    await h.say(ADMIN, "26.03.2026 16:30")
    notice = await h.server.next_message(TEACHER.id)
    assert "Изменилось время" in body(notice) and "чт, 26 марта 2026, 16:30–18:00" in body(notice)
    event = await load_event(h.sessionmaker, event_id)
    assert event.starts_at == datetime(2026, 3, 26, 13, 30, tzinfo=UTC)
    assert [s.starts_at for s in event.sessions] == [event.starts_at]
    assert (event.place, event.capacity, event.taken) == ("ул. Мира, 5 <актовый зал>", 40, 2)


def ics_lines(message: SentMessage, *names: str) -> list[str]:
    """The lines of the attached .ics that set these properties, unfolded, in order."""
    assert message.document is not None
    text = message.document.data.decode("utf-8").replace("\r\n ", "")
    return [line for line in text.split("\r\n") if line.split(":")[0] in names]


async def test_a_new_time_sends_the_registered_teacher_the_calendar_file_again(
    harness: BotHarness,
) -> None:
    """The .ics from «Вы записаны» is in the phone calendar with its alarm: after a move the
    notice is the updated file with the same UID, so the calendar moves that entry."""
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    card = await h.say(TEACHER, f"/start event_{event_id}")
    await h.press(TEACHER, card, "✅ Записаться")
    await h.server.idle()
    (first,) = [m for m in h.server.drain(TEACHER.id) if m.document is not None]
    assert ics_lines(first, "SEQUENCE", "DTSTART") == ["SEQUENCE:0", "DTSTART:20260325T120000Z"]
    await register(h.sessionmaker, event_id, SECOND)  # the waiting list: no calendar entry

    anchor = await staff_message(h)
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Дата и время")
    await h.say(ADMIN, "26.03.2026 16:30")
    notice = await h.server.next_message(TEACHER.id)
    assert "Изменилось время" in body(notice) and "чт, 26 марта 2026, 16:30–18:00" in body(notice)
    assert notice.document is not None
    assert notice.document.filename == "seminar-nastavnichestvo-26.03.2026.ics"
    assert ics_lines(notice, "DTSTART", "DTEND", "SEQUENCE") == [
        "SEQUENCE:1", "DTSTART:20260326T133000Z", "DTEND:20260326T150000Z",
    ]  # fmt: skip
    assert ics_lines(notice, "UID") == ics_lines(first, "UID")
    waiting = await h.server.next_message(SECOND.id)
    assert "Изменилось время" in body(waiting) and waiting.document is None

    await h.press(ADMIN, fields, "Место / ссылка")
    await h.say(ADMIN, "ул. Мира, 5")
    notice = await h.server.next_message(TEACHER.id)
    assert "Изменилось место" in body(notice)
    assert ics_lines(notice, "UID", "DTSTART", "SEQUENCE", "LOCATION") == [
        *ics_lines(first, "UID"), "SEQUENCE:2", "DTSTART:20260326T133000Z",
        "LOCATION:ул. Мира\\, 5",
    ]  # fmt: skip
    waiting = await h.server.next_message(SECOND.id)
    assert "Изменилось место" in body(waiting) and waiting.document is None


async def test_close_then_cancel_notifies_everyone_once(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=1)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(h.sessionmaker, SECOND, "Петрова Ольга Ивановна")
    await seed_teacher(h.sessionmaker, THIRD, "Кузнецов Иван Петрович")
    await register(h.sessionmaker, event_id, TEACHER)
    await register(h.sessionmaker, event_id, SECOND)  # waiting
    await register(h.sessionmaker, event_id, THIRD)  # waiting, and has blocked the bot
    h.server.block(THIRD.id)

    anchor = await staff_message(h)
    await press_data(h, ADMIN, anchor, f"eva:close:{event_id}")
    assert (await load_event(h.sessionmaker, event_id)).status == EventStatus.CLOSED
    assert "Запись закрыта" in body(h.server.messages[(ADMIN.id, anchor.message_id)])

    await press_data(h, ADMIN, anchor, f"eva:cancel:{event_id}")
    confirm = h.server.messages[(ADMIN.id, anchor.message_id)]
    assert "Отменить мероприятие" in body(confirm) and "(3)" in body(confirm)
    h.server.press(confirm, "Да, отменить мероприятие", user=ADMIN)
    h.server.press(confirm, "Да, отменить мероприятие", user=ADMIN)  # a double tap
    notice = await h.server.next_message(TEACHER.id)
    assert "Мероприятие отменено" in body(notice) and "Наставничество" in body(notice)
    # the registered teacher's calendar entry goes away: the same UID, STATUS:CANCELLED
    assert notice.document is not None
    assert notice.document.filename == "seminar-nastavnichestvo-25.03.2026.ics"
    assert ics_lines(notice, "UID", "STATUS", "SEQUENCE") == [
        f"UID:event-{event_id}-session-1@moc-bot", "SEQUENCE:1", "STATUS:CANCELLED",
    ]  # fmt: skip
    waiting = await h.server.next_message(SECOND.id)
    assert "Мероприятие отменено" in body(waiting) and waiting.document is None  # no entry
    # «отправляется уведомление» and a report for the registered and one for the waiting list
    told = [body(await h.server.next_message(ADMIN.id)) for _ in range(3)]
    assert any("«Наставничество" in x and "отправляется уведомление" in x for x in told)
    assert any("Доставлено: 1 из 1" in x for x in told)
    blocked = "заблокирован или удалён из чата: 1"
    assert any("Доставлено: 1 из 2" in x and blocked in x for x in told)
    await h.server.idle()
    assert len(h.server.sent_to(TEACHER.id)) == 1  # told once
    assert any(a.get("text") == "Мероприятие уже отменено." for a in answers(h))
    assert (await load_event(h.sessionmaker, event_id)).status == EventStatus.CANCELLED
    async with h.sessionmaker() as session:
        blocked = await session.get(User, THIRD.id)
    assert blocked is not None and blocked.is_active is False


async def test_closed_registration_opens_again_until_the_start(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """«🔒 Закрыть запись» had no way back; «🔓 Открыть запись» follows the panel's rule
    (bot.services.events.editing.reopen_refusal): a closed event that has not begun."""
    h = harness
    event_id = await seed_event(h.sessionmaker)
    anchor = await staff_message(h)
    await press_data(h, ADMIN, anchor, f"eva:close:{event_id}")
    card = h.server.messages[(ADMIN.id, anchor.message_id)]
    assert "🔓 Открыть запись" in card.inline_texts
    assert "🔒 Закрыть запись" not in card.inline_texts

    h.server.press(card, "🔓 Открыть запись", user=ADMIN)
    await h.server.idle()
    assert (await load_event(h.sessionmaker, event_id)).status == EventStatus.PUBLISHED
    card = h.server.messages[(ADMIN.id, anchor.message_id)]
    assert "🔒 Закрыть запись" in card.inline_texts
    assert "🔓 Открыть запись" not in card.inline_texts
    assert any("снова открыта" in str(a.get("text")) for a in answers(h))
    again = await h.say(ADMIN, "/help")
    await press_data(h, ADMIN, again, f"eva:reopen:{event_id}")  # an old card's button
    assert answers(h)[-1]["text"] == "Запись не закрыта или мероприятие отменено."

    await press_data(h, ADMIN, anchor, f"eva:close:{event_id}")
    clock.set(START + timedelta(minutes=5))  # under way: no signing up any more
    await press_data(h, ADMIN, anchor, f"eva:reopen:{event_id}")
    assert answers(h)[-1]["text"] == "Мероприятие уже началось — открыть запись нельзя."
    assert (await load_event(h.sessionmaker, event_id)).status == EventStatus.CLOSED


# --- the report ---------------------------------------------------------------------------------


async def test_report_for_the_academic_year_and_a_period(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, event_id, TEACHER)

    document = await h.say(ADMIN, "/report")
    assert document.document is not None
    assert document.document.filename == "otchet-2025-09-01-2026-08-31.xlsx"
    # the seminar of 25 March is ahead on 10 March: planned, not reported as held
    assert "мероприятий 0, записей 1" in body(document)
    assert "Запланировано (ещё не проведены, не входят в отчёт): 1" in body(document)
    book = load_workbook(io.BytesIO(document.document.data))
    assert book.sheetnames == [
        "Сводка", "По видам", "По организациям", "По месяцам", "Проведено", "Мероприятия",
        "Вопросы и рассылки",
    ]  # fmt: skip
    summary = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}
    assert summary["Мероприятий"] == 0 and summary["Уникальных участников"] == 1
    assert summary["Запланировано (ещё не проведены, в «Мероприятий» не входят)"] == 1

    for wrong in ("/report 2026-01-01", "/report вчера"):
        assert "/report ГГГГ-ММ-ДД ГГГГ-ММ-ДД" in body(await h.say(ADMIN, wrong))
    # the panel's rule, in the panel's words (bot.services.reports.period.period_refusal)
    backwards = await h.say(ADMIN, "/report 2026-12-31 2026-01-01")
    assert body(backwards) == "Конец периода раньше начала: проверьте даты."
    ten_years = await h.say(ADMIN, "/report 2016-09-01 2026-08-31")
    assert ten_years.document is None
    assert body(ten_years) == "Период длиннее 5 лет: укажите период покороче."
    april = await h.say(ADMIN, "/report 2026-04-01 2026-04-30")
    assert april.document is not None and april.document.filename.endswith("04-30.xlsx")
    assert "мероприятий 0" in body(april)


# --- teachers are locked out --------------------------------------------------------------------


async def test_teacher_gets_admin_only_and_nothing_changes(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)

    assert body(await h.say(TEACHER, "/new_event")) == texts.ADMIN_ONLY
    assert body(await h.say(TEACHER, "/report")) == texts.ADMIN_ONLY
    own = h.server.sent_to(TEACHER.id)[-1]
    forged = (
        f"eva:cancel_yes:{event_id}", f"eva:close:{event_id}", f"eva:reopen:{event_id}",
        f"eva:xlsx:{event_id}",
        f"eva:people:{event_id}", f"eva:edit:{event_id}", "eva:new:0", f"att:{reg_id}:0",
        "evn:publish:", f"eve:{event_id}:capacity", f"atp:{event_id}:0",
    )  # fmt: skip
    for data in forged:
        h.server.press_data(own, data, user=TEACHER)
        answer = await h.server.callback_answer()
        assert answer.params["text"] == texts.ADMIN_ONLY and answer.params["show_alert"] is True
    await h.server.idle()

    assert len(h.server.sent_to(TEACHER.id)) == 2  # the two refusals, no lists, no files
    event = await load_event(h.sessionmaker, event_id)
    assert (event.status, event.capacity, event.taken) == ("published", 30, 1)
    assert await registration_status(h.sessionmaker, reg_id) == RegistrationStatus.REGISTERED
    async with h.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 1
