"""`events export` and importing the exported plan back, as a methodist does it: export, edit
in Excel, import again. Real `python -m bot` processes on real SQLite files in tmp_path.

Before the export existed the plan could not be brought back at all, and a re-imported edited
row was skipped as «уже есть»: the edit was lost without a word."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.db import create_engine, create_sessionmaker
from storage.models import Broadcast, Event, EventStatus
from storage.repositories import Repositories
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_teacher
from tests.test_cli_qa_commands import bot, russian_refusal

YEAR = date.today().year + 1
MOSCOW = ZoneInfo("Europe/Moscow")
HEADER = (
    "id;title;kind;starts_at;duration_min;format;place;capacity;registration_deadline;"
    "description;organiser;speaker;audience"
)
PLAN = (
    "title;kind;starts_at;duration_min;format;place;capacity;description\r\n"
    f"Семинар «Проекты»;seminar;15.09.{YEAR} 10:00;90;offline;МОЦ, каб. 204;30;"
    "- возьмите черновик программы\r\n"
    f'Мастерская;workshop;"08.12.{YEAR} 15:00; 15.12.{YEAR} 15:00";90;offline;МОЦ;20;\r\n'
    f"Вебинар о Навигаторе;webinar;{YEAR}-09-20 14:00;60;online;https://zoom.us/j/1;100;\r\n"
)


@pytest.fixture
def planned(tmp_path: Path) -> Path:
    assert bot(tmp_path, "db", "upgrade").returncode == 0
    (tmp_path / "план.csv").write_bytes(PLAN.encode("utf-8-sig"))
    done = bot(tmp_path, "events", "import", "план.csv")
    assert done.returncode == 0, done.stderr
    return tmp_path


def _events(folder: Path) -> dict[str, dict[str, object]]:
    done = bot(folder, "events", "list", "--json")
    assert done.returncode == 0, done.stderr
    return {str(row["title"]): row for row in json.loads(done.stdout)}


def _export(folder: Path, name: str = "выгрузка.csv") -> str:
    done = bot(folder, "events", "export", name)
    assert done.returncode == 0, done.stderr
    assert "Выгружено мероприятий: 3" in done.stdout
    data = (folder / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Russian Excel opens it as a table only so
    return data.decode("utf-8-sig")


def test_the_export_is_the_import_layout_and_comes_back_unchanged(planned: Path) -> None:
    text = _export(planned)
    lines = text.split("\r\n")
    assert lines[0] == HEADER
    ids = {title: row["id"] for title, row in _events(planned).items()}
    workshop = next(line for line in lines if line.startswith(f"{ids['Мастерская']};"))
    assert f'"08.12.{YEAR} 15:00; 15.12.{YEAR} 15:00"' in workshop  # a series in one cell
    assert "Педагогическая мастерская" in workshop and ";Очно;" in workshop
    assert ";'- возьмите черновик программы;" in text  # Excel would take «-…» for a formula
    again = bot(planned, "events", "import", "выгрузка.csv")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert again.stderr == "Обновлено 0, без изменений 3, новых 0.\n"


def test_an_edited_export_updates_the_events_and_dry_run_only_tells(planned: Path) -> None:
    text = _export(planned)
    before = _events(planned)
    edited = (
        text.replace(f"15.09.{YEAR} 10:00", f"16.09.{YEAR} 11:30")
        .replace("Семинар «Проекты»", "Семинар «Проекты в ДОД»")
        .replace(
            f"08.12.{YEAR} 15:00; 15.12.{YEAR} 15:00",
            f"08.12.{YEAR} 15:00; 15.12.{YEAR} 15:00; 22.12.{YEAR} 15:00",
        )
        .replace(";100;", ";120;")
    ) + f";Круглый стол;Круглый стол;01.10.{YEAR} 14:00;120;Очно;МОЦ;35;;;;;\r\n"
    (planned / "выгрузка.csv").write_bytes(edited.encode("utf-8-sig"))

    dry = bot(planned, "events", "import", "--dry-run", "выгрузка.csv")
    assert dry.returncode == 0, dry.stderr
    seminar = before["Семинар «Проекты»"]["id"]
    assert f"строка 2: мероприятие {seminar} — изменится: название, время" in dry.stderr
    assert "изменится: число мест" in dry.stderr and "изменится: время" in dry.stderr
    assert "будет обновлено 3, без изменений 0, новых 1. Ничего не записано." in dry.stderr
    assert dry.stdout == "" and _events(planned) == before

    done = bot(planned, "events", "import", "выгрузка.csv")
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("Обновлено 3, без изменений 0, новых 1.\n")
    after = _events(planned)
    assert len(after) == 4 and after["Семинар «Проекты в ДОД»"]["id"] == seminar
    assert str(after["Семинар «Проекты в ДОД»"]["starts_at"]).startswith(f"{YEAR}-09-16T11:30")
    assert after["Вебинар о Навигаторе"]["capacity"] == 120
    listed = bot(planned, "events", "export", "снова.csv")
    assert listed.returncode == 0
    again = (planned / "снова.csv").read_text("utf-8-sig")
    assert f"08.12.{YEAR} 15:00; 15.12.{YEAR} 15:00; 22.12.{YEAR} 15:00" in again


def test_a_workbook_export_comes_back_with_its_edits(planned: Path) -> None:
    assert bot(planned, "events", "export", "план.xlsx").returncode == 0
    book = load_workbook(io.BytesIO((planned / "план.xlsx").read_bytes()))
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ";".join(str(v) for v in rows[0]) == HEADER
    seminar = next(row for row in rows if row[1] == "Семинар «Проекты»")
    assert seminar[3] == datetime(YEAR, 9, 15, 10, 0)  # a date cell Excel shows as a date
    sheet.cell(row=rows.index(seminar) + 1, column=8, value=45)  # capacity
    book.save(planned / "план.xlsx")
    done = bot(planned, "events", "import", "план.xlsx")
    assert done.returncode == 0, done.stderr
    assert "изменено: число мест" in done.stderr
    assert "Обновлено 1, без изменений 2, новых 0." in done.stderr
    assert _events(planned)["Семинар «Проекты»"]["capacity"] == 45


async def test_seats_below_those_taken_are_refused_and_a_new_time_is_told(
    planned: Path,
) -> None:
    """The panel refuses fewer seats than are taken; a re-import did the same rule or none."""
    text = _export(planned)
    seminar = _events(planned)["Семинар «Проекты»"]["id"]
    assert isinstance(seminar, int)
    engine = create_engine(f"sqlite+aiosqlite:///{planned / 'b.db'}")
    sm = create_sessionmaker(engine)
    for n in range(3):
        teacher = FakeUser(id=5000 + n, first_name=f"Педагог{n}")
        await seed_teacher(sm, teacher, f"Педагог {n}")
        await register(sm, seminar, teacher)
    fewer = text.replace("МОЦ, каб. 204;30;", "МОЦ, каб. 204;2;")
    (planned / "меньше.csv").write_bytes(fewer.encode("utf-8-sig"))
    refused = russian_refusal(bot(planned, "events", "import", "меньше.csv"), 1)
    assert "строка 2: число мест: " in refused and "Ничего не импортировано" in refused
    assert _events(planned)["Семинар «Проекты»"]["capacity"] == 30

    moved = text.replace(f"15.09.{YEAR} 10:00", f"15.09.{YEAR} 12:00")
    (planned / "время.csv").write_bytes(moved.encode("utf-8-sig"))
    done = bot(planned, "events", "import", "время.csv")
    assert done.returncode == 0, done.stderr
    assert "изменено: время; уведомление о новом времени или месте получат" in done.stderr
    async with sm() as session:  # the running bot's worker sends it (the e2e test sees that)
        queued = await session.scalar(select(func.count()).select_from(Broadcast))
    await engine.dispose()
    assert queued == 1


def test_an_unknown_id_and_a_changed_format_are_refused(planned: Path) -> None:
    text = _export(planned)
    webinar = _events(planned)["Вебинар о Навигаторе"]["id"]
    broken = text.replace(f"{webinar};Вебинар", "9999;Вебинар").replace(";Онлайн;", ";Очно;")
    (planned / "плохо.csv").write_bytes(broken.encode("utf-8-sig"))
    refused = russian_refusal(bot(planned, "events", "import", "плохо.csv"), 1)
    assert "мероприятия с id 9999 нет" in refused
    wrong = text.replace(";Онлайн;", ";Очно;")
    (planned / "формат.csv").write_bytes(wrong.encode("utf-8-sig"))
    refused = russian_refusal(bot(planned, "events", "import", "формат.csv"), 1)
    assert f"формат мероприятия {webinar} не меняется" in refused


def test_export_refuses_another_extension_and_help_names_it(tmp_path: Path) -> None:
    assert bot(tmp_path, "db", "upgrade").returncode == 0
    refused = russian_refusal(bot(tmp_path, "events", "export", "plan.pdf"), 1)
    assert "нужен файл .csv или .xlsx" in refused
    empty = bot(tmp_path, "events", "export", "plan.csv")
    assert empty.returncode == 0 and "Предстоящих мероприятий нет" in empty.stdout
    assert (tmp_path / "plan.csv").read_text("utf-8-sig").startswith(HEADER)
    helped = bot(tmp_path, "events", "import", "--help").stdout
    assert "--dry-run" in helped and "Обновлено N, без изменений M, новых K" in helped
    assert "events export" in helped and "«08.12.2026 15:00; 15.12.2026 15:00»" in helped
    assert "выгрузка предстоящих" in bot(tmp_path, "events", "--help").stdout


async def test_a_workshop_under_way_is_exported_and_comes_back_unchanged(planned: Path) -> None:
    """Its first meeting held, two ahead: the export left it out (the plan a methodist edits
    lost it), and its held meeting would have been refused as «уже прошло»."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    held = now - timedelta(days=2)
    starts = [held, held + timedelta(days=7), held + timedelta(days=14)]
    engine = create_engine(f"sqlite+aiosqlite:///{planned / 'b.db'}")
    async with create_sessionmaker(engine)() as session:
        repo = Repositories(session)
        workshop = Event(
            title="Мастерская «Наставник»", kind="workshop", starts_at=held, duration_min=90,
            format="offline", place="МОЦ", capacity=20, taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, starts)
        await repo.commit()
    await engine.dispose()
    done = bot(planned, "events", "export", "выгрузка.csv")
    assert done.returncode == 0 and "Выгружено мероприятий: 4" in done.stdout
    text = (planned / "выгрузка.csv").read_bytes().decode("utf-8-sig")
    row = next(line for line in text.split("\r\n") if line.startswith(f"{workshop.id};"))
    shown = "; ".join(f"{s.astimezone(MOSCOW):%d.%m.%Y %H:%M}" for s in starts)
    assert f'"{shown}"' in row  # the held meeting too: the row is the workshop as it is

    again = bot(planned, "events", "import", "выгрузка.csv")
    assert again.returncode == 0, again.stderr
    assert again.stderr == "Обновлено 0, без изменений 4, новых 0.\n"

    renamed = text.replace("Мастерская «Наставник»", "Мастерская «Наставник-2»")
    (planned / "название.csv").write_bytes(renamed.encode("utf-8-sig"))
    done = bot(planned, "events", "import", "название.csv")
    assert done.returncode == 0, done.stderr
    assert f"мероприятие {workshop.id} — изменено: название" in done.stderr
    local = [f"{s.astimezone(MOSCOW):%d.%m.%Y %H:%M}" for s in starts]
    later = f"{(starts[2] + timedelta(days=1)).astimezone(MOSCOW):%d.%m.%Y %H:%M}"
    moved = renamed.replace(local[2], later)  # a meeting ahead moves, the held one stays
    (planned / "занятие.csv").write_bytes(moved.encode("utf-8-sig"))
    done = bot(planned, "events", "import", "занятие.csv")
    assert done.returncode == 0, done.stderr
    assert f"мероприятие {workshop.id} — изменено: время" in done.stderr
    extra = f"{(held - timedelta(days=7)).astimezone(MOSCOW):%d.%m.%Y %H:%M}"
    twice = moved.replace(f'"{local[0]};', f'"{extra}; {local[0]};')  # two past, one was held
    (planned / "лишнее.csv").write_bytes(twice.encode("utf-8-sig"))
    refused = russian_refusal(bot(planned, "events", "import", "лишнее.csv"), 1)
    assert f"строка 2: время: Это время уже прошло ({extra})" in refused


def test_several_dates_are_refused_for_any_kind_but_a_workshop(tmp_path: Path) -> None:
    """The panel's form takes several dates only for a workshop; the import took them for a
    seminar, and teachers saw one seminar as a «серия занятий»."""
    assert bot(tmp_path, "db", "upgrade").returncode == 0
    plan = PLAN.replace(
        f"Семинар «Проекты»;seminar;15.09.{YEAR} 10:00;",
        f'Семинар «Проекты»;seminar;"15.09.{YEAR} 10:00; 22.09.{YEAR} 10:00";',
    )
    (tmp_path / "план.csv").write_bytes(plan.encode("utf-8-sig"))
    refused = russian_refusal(bot(tmp_path, "events", "import", "план.csv"), 1)
    assert (
        "строка 2: начало (starts_at) — несколько дат только у педагогической мастерской "
        "(серии занятий), а здесь вид «Семинар»"
    ) in refused
    assert "строка 3" not in refused  # the workshop's two dates are fine
    assert "Ничего не импортировано: строк с ошибками — 1." in refused
