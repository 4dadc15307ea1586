"""In December a methodologist fills the МОЦ's yearly form for the calendar year through /report
in Telegram and in MAX: parents' questions the bot answered itself or handed to specialists,
the median time to a specialist's first answer, broadcasts and their reach, subscribers per
messenger — and what was held by month and quarter. Moments at 23:30 on 31 December in Moscow
belong to the year they happened in, not to the UTC one."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.ids import internal
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import (
    Ack,
    Broadcast,
    Delivery,
    Event,
    EventStatus,
    FaqQuery,
    Organisation,
    Subscription,
    Ticket,
    TicketMessage,
    User,
)
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_bot import max_only_bot, say, start
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")
PARENT, GONE, STAFF_TG = 3001, 3002, 3003  # Telegram parents (GONE blocked the bot), staff
PARENT_MAX = internal(7001, "user")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def _ticket(opened: datetime, answer_after: timedelta | None) -> Ticket:
    ticket = Ticket(user_id=PARENT, chat_id=PARENT, question="Где справка?", created_at=opened)
    ticket.messages.append(TicketMessage(author_id=PARENT, text="Где справка?", created_at=opened))
    if answer_after is not None:
        said = TicketMessage(
            author_id=1, from_staff=True, text="Вот", created_at=opened + answer_after
        )
        ticket.messages.append(said)
    return ticket


async def _seed(sm: SessionMaker) -> None:
    """The hand count is in `EXPECTED`."""
    async with sm() as s:
        s.add_all([
            User(id=PARENT, first_name="Ольга"), User(id=GONE, first_name="Пётр", is_active=False),
            User(id=PARENT_MAX, first_name="Ирина"), User(id=STAFF_TG, first_name="Анна"),
        ])  # fmt: skip
        await s.flush()
        asked = [("answer", utc(2026, 2, 3, 8))] * 3 + [
            ("answer", utc(2026, 12, 31, 20, 30)),  # 23:30 on 31.12.2026 in Moscow: this year
            ("answer", utc(2025, 12, 31, 20, 30)),  # 23:30 on 31.12.2025: the year before
            ("answer", utc(2026, 12, 31, 21, 10)),  # 00:10 on 01.01.2027: the next year
            ("suggest", utc(2026, 5, 5, 9)), ("unknown", utc(2026, 6, 6, 9)),
            ("offtopic", utc(2026, 7, 7, 9)),
        ]  # fmt: skip
        s.add_all(FaqQuery(user_id=PARENT, text="?", outcome=o, created_at=at) for o, at in asked)
        s.add_all([
            _ticket(utc(2026, 3, 2, 7), timedelta(minutes=30)),
            _ticket(utc(2026, 5, 1, 6), timedelta(hours=2)),
            _ticket(utc(2026, 6, 1, 6), timedelta(hours=24)),
            _ticket(utc(2026, 11, 1, 6), None),  # still open
            _ticket(utc(2025, 12, 31, 20, 0), timedelta(minutes=1)),  # last year's
        ])  # fmt: skip
        this_year = Broadcast(content="{}", state="done", started_at=utc(2026, 4, 1, 7))
        last_year = Broadcast(content="{}", state="done", started_at=utc(2025, 12, 31, 20, 50))
        waiting = Broadcast(content="{}", state="scheduled", scheduled_at=utc(2026, 12, 25))
        s.add_all([this_year, last_year, waiting])
        await s.flush()
        statuses = ["sent"] * 3 + ["blocked", "failed"]
        s.add_all(
            Delivery(broadcast_id=this_year.id, chat_id=9000 + n, status=st)
            for n, st in enumerate(statuses)
        )
        s.add_all(
            Delivery(broadcast_id=last_year.id, chat_id=9100 + n, status="sent") for n in (1, 2)
        )
        s.add_all(
            Ack(broadcast_id=this_year.id, chat_id=9000 + n, user_id=9000 + n) for n in (0, 1)
        )
        s.add(Ack(broadcast_id=last_year.id, chat_id=9101, user_id=9101))
        s.add_all([
            Subscription(user_id=PARENT, audience="parents", created_at=utc(2026, 2, 1)),
            Subscription(user_id=PARENT, audience="teachers", created_at=utc(2026, 3, 1)),
            Subscription(user_id=PARENT_MAX, audience="parents", created_at=utc(2025, 10, 1)),
            Subscription(user_id=GONE, audience="parents", created_at=utc(2026, 2, 1)),
            Subscription(user_id=STAFF_TG, audience="staff", created_at=utc(2026, 2, 1)),
        ])  # fmt: skip
        await s.commit()
    await seed_event(sm, starts_at=utc(2026, 12, 31, 20, 30))  # 23:30 on 31.12 in Moscow
    await seed_event(sm, starts_at=utc(2026, 12, 31, 21, 30))  # 00:30 on 1 January: next year


EXPECTED = [
    ("Вопросов боту", 7),
    ("бот ответил сам", 4),
    ("бот предложил статьи на выбор", 1),
    ("бот не понял", 2),
    ("Передано специалистам (обращений)", 4),
    ("из них специалист ответил", 3),
    ("Медиана времени до первого ответа специалиста, ч:мм", timedelta(hours=2)),
    ("Рассылок (начаты в периоде)", 1),
    ("Доставлено сообщений", 3),
    ("Не доставлено: заблокировали бота", 1),
    ("Не доставлено: ошибки", 1),
    ("Нажали «Ознакомлен»", 2),
]
SUBSCRIBERS = [("Telegram", 1, 1), ("MAX", 1, 0)]


def _check(data: bytes) -> None:
    book = load_workbook(io.BytesIO(data))
    sheet = book["Вопросы и рассылки"]
    rows: list[Any] = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Вопросы, обращения и рассылки с 01.01.2026 по 31.12.2026", None, None)
    assert [row[:2] for row in rows[1:13]] == EXPECTED
    assert sheet["B8"].number_format == "[h]:mm"  # Excel shows 2:00, a duration it can add
    head = rows.index(("Подписчики рассылок", "Сейчас", "Подписались в периоде"))
    assert rows[head + 1 : head + 3] == SUBSCRIBERS
    held = list(book["Проведено"].iter_rows(values_only=True))
    # on 20 December the seminar of 31 December is still ahead: planned, not held
    assert held[12] == ("декабрь 2026", 0, 0, 0)
    assert held[-1] == ("Итого", 0, 0, 0) and ("IV квартал 2026", 0, 0, 0) in held
    events = list(book["Мероприятия"].iter_rows(min_row=3, values_only=True))
    assert events[1:] == [  # 23:30 on 31 December, not 00:30 on 1 January
        (datetime(2026, 12, 31, 23, 30), "Семинар «Наставничество»", "Семинар", 1, 0, 0, 0, 0)
    ]
    assert str(events[0][0]).startswith("Запланировано")
    assert book["Мероприятия"]["A4"].number_format == "DD.MM.YYYY HH:MM"  # a date Excel sorts


async def test_telegram_staff_and_the_panel_get_the_year_of_questions_and_broadcasts(
    harness: BotHarness, settings: Settings, clock: FrozenClock
) -> None:
    await _seed(harness.sessionmaker)
    sheet = await harness.say(ADMIN, "/report 01.01.2026 31.12.2026")
    assert sheet.document is not None
    _check(sheet.document.data)

    panel = await client_for(settings, harness.sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(panel, settings, clock)
        page = await (await panel.get("/web/report?first=01.01.2026&last=31.12.2026")).text()
        for shown in (
            'id="fig-questions">7<', 'id="fig-answered">4<', 'id="fig-tickets">4<',
            'id="fig-median">2:00<', 'id="fig-sent">3<', 'id="fig-acks">2<',
            'id="fig-subscribers-max">1; 0<', 'id="fig-visits">0<',
            "<td>31.12.2026 23:30</td><td>Семинар «Наставничество»</td>",
        ):  # fmt: skip
            assert shown in page, shown
        book = await (await panel.get("/web/report.xlsx?first=2026-01-01&last=2026-12-31")).read()
        _check(book)
    finally:
        await panel.close()


async def test_max_staff_get_the_same_report(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService, clock: FrozenClock
) -> None:
    await _seed(sessionmaker)
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX, clock=clock) as (
        fake,
        _,
    ):
        (sheet,) = await say(fake, STAFF_MAX, "/report 01.01.2026 31.12.2026")
        assert [a["type"] for a in sheet.attachments] == ["file"]
        (data,) = [d for name, d in fake.uploads.values() if name.endswith(".xlsx")]
        _check(data)


async def _series(sm: SessionMaker, teacher: FakeUser) -> tuple[int, list[datetime]]:
    """A three-meeting workshop held in November; the teacher came to the 1st and the 3rd."""
    meetings = [utc(2026, 11, 2 + 7 * n, 12) for n in range(3)]  # 15:00 in Moscow
    workshop = Event(
        title="Мастерская «Проекты»", kind="workshop", starts_at=meetings[0], duration_min=90,
        format="offline", place="МОЦ", capacity=10, status=EventStatus.PUBLISHED,
    )  # fmt: skip
    async with sm() as session:
        repo = Repositories(session)
        await repo.events.add(workshop, meetings)
        await repo.commit()
    await seed_teacher(sm, teacher, "Сидорова Инна Ивановна")
    reg_id, _ = await register(sm, workshop.id, teacher)
    async with sm() as session:
        repo = Repositories(session)
        for at in (meetings[0], meetings[2]):
            assert await repo.events.mark_attended(reg_id, True, at + timedelta(minutes=10))
        await repo.commit()
    return workshop.id, meetings


SERIES_HEAD = ["Встреча 1 (02.11)", "Встреча 2 (09.11)", "Встреча 3 (16.11)", "Посещено встреч"]


def _check_csv(data: bytes) -> None:
    assert data.startswith(b"\xef\xbb\xbf")  # Russian Excel reads UTF-8 only with the BOM
    head, line = data.decode("utf-8-sig").splitlines()
    assert head.split(";")[-4:] == SERIES_HEAD
    assert line.split(";")[-4:] == ["да", "", "да", "2"]


async def test_a_series_export_shows_presence_at_each_meeting(harness: BotHarness) -> None:
    """«Присутствовал» says only «came at least once»: the methodologist counting a series'
    turnout per meeting reads it from one column per meeting, in Excel and in CSV."""
    h = harness
    event_id, _ = await _series(h.sessionmaker, TEACHER)
    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:xlsx:{event_id}", user=ADMIN)
    xlsx = await h.server.next_message(ADMIN.id)
    assert xlsx.document is not None
    rows = list(load_workbook(io.BytesIO(xlsx.document.data)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert list(rows[1][-4:]) == SERIES_HEAD
    assert rows[2][1] == "Сидорова Инна Ивановна" and list(rows[2][-4:]) == ["да", None, "да", 2]
    h.server.press_data(anchor, f"eva:csv:{event_id}", user=ADMIN)
    csv = await h.server.next_message(ADMIN.id)
    assert csv.document is not None
    _check_csv(csv.document.data)


async def test_max_staff_get_the_same_series_export(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    event_id, _ = await _series(sessionmaker, TEACHER)
    async with max_only_bot(db_path, sessionmaker, faq_service, STAFF_MAX) as (fake, _):
        card = await start(fake, STAFF_MAX, f"event_{event_id}", n=2)
        before = len(fake.sent_to(STAFF_MAX))
        fake.press_payload(STAFF_MAX, card, f"eva:csv:{event_id}")
        await fake.wait_sent(STAFF_MAX, before + 1, within=15)
        (data,) = [d for name, d in fake.uploads.values() if name.endswith(".csv")]
        _check_csv(data)


async def test_a_school_typed_with_other_quotes_or_spaces_is_one_organisation(
    harness: BotHarness,
) -> None:
    """Typed on a phone, «№2» has no space and «ДДТ» gets straight quotes: still the same two
    organisations, each counted once, spelled as in the МОЦ's list (or as most typed it)."""
    h, sm = harness, harness.sessionmaker
    async with sm() as session:
        session.add(Organisation(name="МБУ ДО «ДДТ»"))
        await session.commit()
    typed = ["МБОУ СОШ № 2", "МБОУ СОШ №2", "МБОУ  СОШ № 2 ", "МБУ ДО «ДДТ»", 'МБУ ДО "ДДТ"']
    seminar = await seed_event(sm, starts_at=utc(2026, 10, 7, 12))
    for n, school in enumerate(typed):
        teacher = FakeUser(id=4000 + n, first_name=f"Учитель{n}")
        await seed_teacher(sm, teacher, f"Учитель{n} Иван Иванович", school)
        await register(sm, seminar, teacher)
    sheet = await h.say(ADMIN, "/report 2026")
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(sheet.document.data))
    rows = list(book["По организациям"].iter_rows(min_row=2, values_only=True))
    assert rows == [("МБОУ СОШ № 2", 3), ("МБУ ДО «ДДТ»", 2)]
    summary = {r[0]: r[1] for r in book["Сводка"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Организаций"] == 2
