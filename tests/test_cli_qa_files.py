"""Files as a МОЦ's IT person brings them to `python -m bot … import`: saved by Russian Excel as
plain «CSV» (Windows-1251), empty, imported twice, with Excel's own dates; and a DATABASE_URL
that names the wrong thing. Real `python -m bot` processes on real SQLite files in tmp_path."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.core.tables import EMPTY
from tests.test_cli_qa_commands import bot, russian_refusal

YEAR = date.today().year + 1
EVENTS = (
    "title;kind;starts_at;duration_min;format;place;capacity\r\n"
    f"Семинар «Проекты»;seminar;15.09.{YEAR} 10:00;90;offline;МОЦ, каб. 204;30\r\n"
    f"Вебинар о Навигаторе;webinar;{YEAR}-09-20 14:00;60;online;https://zoom.us/j/1;100\r\n"
)


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    assert bot(tmp_path, "db", "upgrade").returncode == 0
    return tmp_path


def _events(folder: Path) -> list[dict[str, object]]:
    done = bot(folder, "events", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


@pytest.mark.parametrize("delimiter", [";", ","])
def test_chats_saved_by_russian_excel_as_plain_csv_are_read(
    migrated: Path, delimiter: str
) -> None:
    """Excel's «CSV (разделители — запятые)» is Windows-1251 with «;» in a Russian Windows: it
    was refused with «файл не в кодировке UTF-8» and no word on how to save it otherwise."""
    table = "chat_id;title;audience\r\n-1001234500001;Родители 1«А»;parents\r\n"
    data = table.replace(";", delimiter).encode("cp1251")
    (migrated / "чаты.csv").write_bytes(data)
    done = bot(migrated, "chats", "import", "чаты.csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Добавлено чатов: 1")
    assert "Родители 1«А»" in bot(migrated, "chats", "list").stdout


def test_events_saved_by_russian_excel_as_plain_csv_are_read(migrated: Path) -> None:
    (migrated / "план.csv").write_bytes(EVENTS.encode("cp1251"))
    done = bot(migrated, "events", "import", "план.csv")
    assert done.returncode == 0, done.stderr
    assert {row["title"] for row in _events(migrated)} == {
        "Семинар «Проекты»", "Вебинар о Навигаторе"
    }  # fmt: skip


def test_organisations_saved_by_notepad_in_cp1251_are_read(migrated: Path) -> None:
    (migrated / "орг.txt").write_bytes("МБОУ «Школа № 5»\r\nДом детского творчества\r\n".encode(
        "cp1251"
    ))  # fmt: skip
    done = bot(migrated, "orgs", "import", "орг.txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Добавлено организаций: 2")


def test_a_file_in_no_encoding_we_read_says_how_to_save_it(migrated: Path) -> None:
    (migrated / "чаты.csv").write_bytes(b"chat_id,title,audience\n-1001,\x98,parents\n")
    errors = russian_refusal(bot(migrated, "chats", "import", "чаты.csv"), 1)
    assert "не читается как текст UTF-8 или Windows-1251" in errors
    assert "«Файл → Сохранить как → CSV UTF-8 (разделитель — запятая)»" in errors


@pytest.mark.parametrize("args", [["events", "list"], ["chats", "list"], ["broadcast", "list"]])
def test_a_database_url_naming_a_text_file_says_check_it_not_db_upgrade(
    tmp_path: Path, args: list[str]
) -> None:
    """«Если база новая, сначала выполните: db upgrade» was printed for a file that is not a
    database at all; `db upgrade` there only fails again."""
    (tmp_path / "notes.txt").write_text("не база данных\n" * 100, encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'notes.txt'}"
    errors = russian_refusal(bot(tmp_path, *args, DATABASE_URL=url), 1)
    assert errors.splitlines() == [
        "ошибка базы данных: это не файл базы SQLite",
        f"Проверьте путь к файлу базы в DATABASE_URL (сейчас: {url})",
    ]


def test_a_database_without_tables_is_told_to_upgrade_in_russian(tmp_path: Path) -> None:
    errors = russian_refusal(bot(tmp_path, "events", "list"), 1)
    assert errors.startswith("ошибка базы данных: в базе нет таблицы events\n")
    assert "Если база новая или бот обновлён, выполните: python -m bot db upgrade" in errors


def test_a_stopped_postgresql_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    """asyncpg's ConnectionRefusedError was a traceback in `events list` and «не удалось
    прочитать чаты.csv» in `chats import`."""
    (tmp_path / "чаты.csv").write_text("chat_id,title,audience\n-1001,Школа,parents\n", "utf-8")
    url = "postgresql+asyncpg://moc:secret@127.0.0.1:1/moc"
    for args in (["events", "list"], ["chats", "import", "чаты.csv"]):
        errors = russian_refusal(bot(tmp_path, *args, DATABASE_URL=url), 1)
        assert errors.startswith("ошибка базы данных: сервер не принимает соединения"), errors
        assert "127.0.0.1:1" in errors and "secret" not in errors


def test_the_same_plan_imported_twice_makes_each_event_once(migrated: Path) -> None:
    """A retry or a colleague importing the same file showed teachers every event twice."""
    (migrated / "план.csv").write_bytes(EVENTS.encode("utf-8-sig"))
    first = bot(migrated, "events", "import", "план.csv")
    assert first.returncode == 0, first.stderr
    ids = [int(n) for n in first.stdout.split()]
    again = bot(migrated, "events", "import", "план.csv")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert again.stderr == "Обновлено 0, без изменений 2, новых 0.\n"
    assert [row["id"] for row in _events(migrated)] == ids


def test_a_row_copied_twice_in_one_file_is_named(migrated: Path) -> None:
    copied = EVENTS + EVENTS.splitlines(keepends=True)[1]
    (migrated / "план.csv").write_text(copied, encoding="utf-8")
    errors = russian_refusal(bot(migrated, "events", "import", "план.csv"), 1)
    assert errors.startswith("строка 4: то же мероприятие (название и начало), что в строке 2")
    assert _events(migrated) == []


def test_the_same_chats_imported_twice_change_nothing(migrated: Path) -> None:
    (migrated / "чаты.csv").write_text("chat_id,title,audience\n-1001,Школа,parents\n", "utf-8")
    assert bot(migrated, "chats", "import", "чаты.csv").returncode == 0
    again = bot(migrated, "chats", "import", "чаты.csv")
    assert again.stdout.startswith("Добавлено чатов: 0, обновлено: 0, без изменений: 1")


def test_xlsx_with_excel_dates_and_times_is_read(migrated: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "kind", "starts_at", "duration_min", "format", "place", "capacity",
                  "registration_deadline"])  # fmt: skip
    sheet.append(["Семинар", "seminar", datetime(YEAR, 3, 1, 10, 0), 90, "offline", "МОЦ", 25,
                  datetime(YEAR, 2, 27, 18, 0)])  # fmt: skip
    sheet.append(["Без времени", "seminar", datetime(YEAR, 3, 2), 90, "offline", "МОЦ", 25])
    sheet["C3"].number_format = "DD.MM.YYYY"  # typed «02.03.2027»: a day, not midnight
    book.save(migrated / "plan.xlsx")
    errors = russian_refusal(bot(migrated, "events", "import", "plan.xlsx"), 1)
    assert errors.startswith(f"строка 3: начало (starts_at) «{YEAR}-03-02» — нужен формат")
    sheet.delete_rows(3)
    book.save(migrated / "plan.xlsx")
    done = bot(migrated, "events", "import", "plan.xlsx")
    assert done.returncode == 0, done.stderr
    (row,) = _events(migrated)
    assert str(row["starts_at"]).startswith(f"{YEAR}-03-01T10:00:00")


@pytest.mark.parametrize(
    ("args", "name", "content"),
    [
        (["events", "import"], "план.csv", b""),
        (["events", "import"], "план.yaml", b"\n\n"),
        (["chats", "import"], "чаты.csv", "\ufeff".encode()),
        (["orgs", "import"], "орг.txt", b"\r\n \r\n"),
    ],
)
def test_an_empty_file_is_called_empty(
    migrated: Path, args: list[str], name: str, content: bytes
) -> None:
    (migrated / name).write_bytes(content)
    errors = russian_refusal(bot(migrated, *args, name), 1)
    first = errors.splitlines()[0]
    assert first in (EMPTY, f"ошибка: {name}: {EMPTY}"), errors
    assert EMPTY == "файл пуст — проверьте, тот ли это файл и сохранён ли он"


def test_chats_exported_as_csv_import_back_into_a_new_bot(migrated: Path, tmp_path: Path) -> None:
    """`chats list` printed a table or JSON that `chats import` does not read: there was no
    way to edit the registry in Excel or to move it to another bot's database."""
    table = (
        "chat_id;title;audience;messenger\r\n"
        '-1001234500001;Школа, «5»;"parents;teachers";\r\n77001;Директора в MAX;directors;max\r\n'
    )
    (migrated / "чаты.csv").write_text(table, encoding="utf-8")
    assert bot(migrated, "chats", "import", "чаты.csv").returncode == 0
    exported = bot(migrated, "chats", "list", "--csv")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("\ufeffchat_id,title,audience,messenger\n")
    (migrated / "выгрузка.csv").write_text(exported.stdout, encoding="utf-8")
    assert bot(migrated, "chats", "import", "выгрузка.csv").stdout.startswith(
        "Добавлено чатов: 0, обновлено: 0, без изменений: 2"
    )
    other = tmp_path / "other"
    other.mkdir()
    assert bot(other, "db", "upgrade").returncode == 0
    moved = bot(other, "chats", "import", migrated / "выгрузка.csv")
    assert moved.returncode == 0 and moved.stdout.startswith("Добавлено чатов: 2"), moved.stderr
    listing = [json.loads(bot(f, "chats", "list", "--json").stdout) for f in (migrated, other)]
    assert listing[0] == listing[1]


def test_a_quote_left_open_is_a_line_not_a_traceback(migrated: Path) -> None:
    """The csv module's «field larger than field limit» came out as a Python traceback."""
    table = EVENTS.replace("Вебинар о Навигаторе", '"Вебинар о Навигаторе') + "x" * 140_000
    (migrated / "план.csv").write_text(table, encoding="utf-8")
    errors = russian_refusal(bot(migrated, "events", "import", "план.csv"), 1)
    assert errors.startswith("строка 3: ячейка длиннее 131072 символов — проверьте, не осталась")


def test_a_workbook_given_to_orgs_import_is_not_read_as_names(migrated: Path) -> None:
    """With the Windows-1251 fallback any bytes «decode»: a .xlsx must not become organisations."""
    from openpyxl import Workbook

    Workbook().save(migrated / "орг.xlsx")
    errors = russian_refusal(bot(migrated, "orgs", "import", "орг.xlsx"), 1)
    assert errors.startswith("ошибка: орг.xlsx: это не текстовый файл (книга Excel .xlsx")


def test_events_import_help_marks_the_optional_columns_as_optional(tmp_path: Path) -> None:
    """--help listed registration_deadline and description among the required columns; a plan
    without them (EVENTS above) imports."""
    page = bot(tmp_path, "events", "import", "--help").stdout
    assert "capacity (по желанию:\nregistration_deadline,description,organiser" in page
