"""Bulk event import: local times become the right UTC, and a bad file imports nothing.

Staff type times as they read them on the wall clock of their МОЦ; a wrong offset would send
reminders at the wrong hour, so the tests check two zones (Moscow and Kamchatka, UTC+12) after
a round trip through the real database schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.events.import_files import (
    parse_events_csv,
    parse_events_file,
    parse_events_yaml,
)
from bot.services.events.importing import events_to_json, import_events
from bot.services.import_errors import ImportErrors
from storage.db import create_engine, create_sessionmaker
from storage.models import Event
from storage.repositories.events import EventRepo

MOSCOW = ZoneInfo("Europe/Moscow")
KAMCHATKA = ZoneInfo("Asia/Kamchatka")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HEADER = (
    "title,kind,starts_at,duration_min,format,place,capacity,registration_deadline,description"
)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

GOOD_CSV = f"""{HEADER}
Проектирование программы,seminar,2027-03-15 10:00,120,offline,"ул. Ленина, 15",30,2027-03-14 18:00,
<b>Мастерская</b> & «проекты»,workshop,2027-04-01 15:00;2027-04-08 15:00,90,offline,МОЦ,20,,"Три
встречи"
Вебинар о Навигаторе,webinar,2027-05-20 14:00,60,online,https://zoom.us/j/123,100,,
"""


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    async with create_sessionmaker(engine)() as s:
        yield s
    await engine.dispose()


async def test_csv_imports_with_utc_times_in_moscow(session: AsyncSession) -> None:
    drafts = parse_events_csv("\ufeff" + GOOD_CSV, MOSCOW, NOW)
    ids = (await import_events(EventRepo(session), drafts, created_by=42)).ids
    await session.commit()
    session.expunge_all()
    repo = EventRepo(session)
    seminar, workshop, webinar = [await repo.get(i) for i in ids]
    assert seminar is not None and workshop is not None and webinar is not None
    assert seminar.starts_at == datetime(2027, 3, 15, 7, 0, tzinfo=UTC)
    assert seminar.registration_deadline == datetime(2027, 3, 14, 15, 0, tzinfo=UTC)
    assert seminar.place == "ул. Ленина, 15" and seminar.created_by == 42
    assert [s.starts_at.hour for s in workshop.sessions] == [12, 12]
    assert [s.starts_at.day for s in workshop.sessions] == [1, 8]
    assert workshop.title == "<b>Мастерская</b> & «проекты»"  # stored as typed, escaped on output
    assert workshop.description == "Три\nвстречи"
    assert webinar.format == "online" and webinar.capacity == 100


def test_kamchatka_is_twelve_hours_ahead() -> None:
    (draft, *_) = parse_events_csv(GOOD_CSV, KAMCHATKA, NOW)
    assert draft.starts == (datetime(2027, 3, 14, 22, 0, tzinfo=UTC),)
    assert draft.registration_deadline == datetime(2027, 3, 14, 6, 0, tzinfo=UTC)


def test_semicolon_csv_as_russian_excel_saves_it() -> None:
    text = HEADER.replace(",", ";") + "\nСеминар;Семинар;2027-03-15 10:00;90;очно;МОЦ;10;;\n"
    (draft,) = parse_events_csv(text, MOSCOW, NOW)
    assert (draft.kind, draft.format) == ("seminar", "offline")


BAD_CSV = f"""{HEADER}
Хорошая строка,seminar,2027-03-15 10:00,90,offline,МОЦ,10,,
,lecture,2027-03-15 10:00,90,offline,МОЦ,10,,
Прошлое,seminar,2020-01-01 10:00,90,offline,МОЦ,0,,"описание
на двух строках"
Онлайн без ссылки,webinar,15/03/2027 10:00,2000,online,Zoom,десять,,
Поздний срок,seminar,2027-03-15 10:00,90,offline,МОЦ,10,2027-03-16 10:00,
{"Д" * 201},seminar,2027-03-15 10:00,90,offline,МОЦ,10,,
"""


def test_every_bad_row_is_reported_with_its_line() -> None:
    with pytest.raises(ImportErrors) as caught:
        parse_events_csv(BAD_CSV, MOSCOW, NOW)
    errors = caught.value.errors
    assert [e.split(":")[0] for e in errors] == [
        "строка 3", "строка 4", "строка 6", "строка 7", "строка 8",
    ]  # fmt: skip
    assert "название (title) не заполнено" in errors[0] and "«lecture»" in errors[0]
    assert "уже прошло" in errors[1] and "число мест (capacity)" in errors[1]
    assert "ГГГГ-ММ-ДД ЧЧ:ММ" in errors[2] and "ссылка" in errors[2]
    assert "от 1 до 1440" in errors[2] and "«десять»" in errors[2]
    assert "позже начала" in errors[3]
    assert "длиннее 200" in errors[4]


async def test_bad_file_imports_nothing(session: AsyncSession, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    with pytest.raises(ImportErrors):
        drafts = parse_events_file(path.name, path.read_bytes(), MOSCOW, NOW)
        await import_events(EventRepo(session), drafts, None)
    assert await session.scalar(select(func.count()).select_from(Event)) == 0


def test_header_problems_are_line_one() -> None:
    with pytest.raises(ImportErrors) as caught:
        parse_events_csv("title,kind,when\n", MOSCOW, NOW)
    (error,) = caught.value.errors
    assert error.startswith("строка 1:") and "when" in error and "starts_at" in error


def test_a_plan_saved_as_plain_csv_by_russian_excel_reads_as_utf8_does() -> None:
    """Excel's plain «CSV» is Windows-1251 in a Russian Windows: it was refused as not UTF-8."""
    expected = parse_events_file("plan.csv", GOOD_CSV.encode(), MOSCOW, NOW)
    assert parse_events_file("plan.csv", GOOD_CSV.encode("cp1251"), MOSCOW, NOW) == expected
    assert expected[1].title == "<b>Мастерская</b> & «проекты»"


def test_a_file_in_no_encoding_we_read_says_how_to_save_it() -> None:
    broken = GOOD_CSV.encode("cp1251") + b"\x98\n"  # the one byte cp1251 leaves undefined
    with pytest.raises(ImportErrors) as caught:
        parse_events_file("plan.csv", broken, MOSCOW, NOW)
    assert caught.value.errors == [
        "файл не читается как текст UTF-8 или Windows-1251: сохраните его заново — в Excel: "
        "«Файл → Сохранить как → CSV UTF-8 (разделитель — запятая)»"
    ]


YAML = """\
events:
  - title: Мастерская
    kind: workshop
    sessions: ["2027-04-08 15:00", "2027-04-01 15:00", "2027-04-15 15:00"]
    duration_min: 90
    format: offline
    place: МОЦ
    capacity: 12
    speaker: Петров С. В.
  - title: Без даты
    kind: seminar
    starts_at: "2027-04-01 15:00"
    sessions: ["2027-04-02 15:00"]
    format: offline
    place: МОЦ
    capacity: 0
"""


def test_yaml_sessions_and_line_numbers() -> None:
    with pytest.raises(ImportErrors) as caught:
        parse_events_yaml(YAML, MOSCOW, NOW)
    (error,) = caught.value.errors
    assert error.startswith("строка 10:") and "либо starts_at, либо sessions" in error
    assert "длительность (duration_min) не заполнено" in error
    (draft,) = parse_events_yaml(YAML.split("  - title: Без даты")[0], MOSCOW, NOW)
    assert [s.day for s in draft.starts] == [1, 8, 15]  # sorted
    assert draft.speaker == "Петров С. В." and draft.line == 2


async def test_examples_parse_and_list_as_json(session: AsyncSession) -> None:
    csv_drafts, yaml_drafts = (
        parse_events_file(name, (EXAMPLES / name).read_bytes(), MOSCOW, NOW)
        for name in ("events.csv", "events.yaml")
    )
    strip = [(d.title, d.kind, d.starts, d.place) for d in csv_drafts]
    assert strip == [(d.title, d.kind, d.starts, d.place) for d in yaml_drafts]
    assert max(len(d.starts) for d in csv_drafts) == 3
    ids = (await import_events(EventRepo(session), csv_drafts, None)).ids
    events = await EventRepo(session).all()
    counts = {ids[0]: {"registered": 2, "attended": 1, "waiting": 4, "cancelled": 7}}
    rows = events_to_json(events, counts, MOSCOW)
    assert list(rows[0]) == [
        "id", "title", "kind", "starts_at", "capacity", "registered", "waiting",
    ]  # fmt: skip
    assert rows[0]["starts_at"] == "2027-09-15T10:00:00+03:00"
    assert (rows[0]["registered"], rows[0]["waiting"], rows[1]["registered"]) == (3, 4, 0)


def test_wall_clock_time_skipped_by_dst_is_refused() -> None:
    row = "Семинар,seminar,2027-03-28 02:30,90,offline,МОЦ,10,,\n"
    with pytest.raises(ImportErrors, match=r"строка 2: .*такого времени нет"):
        parse_events_csv(f"{HEADER}\n{row}", ZoneInfo("Europe/Berlin"), NOW)


def test_a_row_whose_card_would_not_fit_one_message_is_refused() -> None:
    """A 3000-character description is allowed, 30 weekly meetings too, but together the card
    teachers open is over Telegram's 4096 (the event form refuses it; so does the import)."""
    description = "Программа мастерской: " + "практика и проекты, " * 148
    weekly = ";".join(f"2027-{3 + n // 4:02d}-{1 + 7 * (n % 4):02d} 15:00" for n in range(30))
    row = f'Мастерская,workshop,{weekly},90,offline,МОЦ,20,,"{description}"'
    with pytest.raises(ImportErrors) as refused:
        parse_events_csv(f"{HEADER}\n{row}\n", MOSCOW, NOW)
    assert refused.value.errors[0].startswith("строка 2: описание (description) — карточка")
    one_meeting = f'Мастерская,workshop,2027-03-01 15:00,90,offline,МОЦ,20,,"{description}"'
    assert len(parse_events_csv(f"{HEADER}\n{one_meeting}\n", MOSCOW, NOW)) == 1
