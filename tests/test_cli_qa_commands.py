"""The command line as a МОЦ's IT person meets it: a mistyped command, a wrong file, a wrong
date. Each is said in Russian on stderr, names what to fix, exits non-zero, and never shows a
Python traceback. Real `python -m bot` processes on real SQLite files in tmp_path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage.migrate import head_revision
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = (
    "error:", "invalid choice", "choose from", "required", "unrecognized", "invalid int",
    "No such file", "Is a directory", "Permission denied", "codec", "Traceback",
)  # fmt: skip


def bot(tmp_path: Path, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        cwd=tmp_path, env=base | {"MOC_ENV_FILE": ""} | env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def russian_refusal(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The stderr of a refused command, checked to be Russian and to carry `code`."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert not [word for word in ENGLISH if word in done.stderr], done.stderr
    return done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["evnets", "list"], "«evnets» — такого варианта нет; можно: «run»"),
        (["db"], "python -m bot db: ошибка: не указано: DB_COMMAND"),
        (["report", "--from", "2026-09-01"], "не указано: --out"),
        (["broadcast", "create", "--audience", "родители", "--text-file", "t.txt"],
         "--audience: «родители» — такого варианта нет; можно: «parents», «directors»"),
        (["broadcast", "status", "№5"], "id: «№5» — нужно целое число"),
        (["run", "--migrte"], "лишние аргументы: --migrte"),
    ],
)  # fmt: skip
def test_a_mistyped_command_line_is_answered_in_russian(
    tmp_path: Path, args: list[str], says: str
) -> None:
    errors = russian_refusal(bot(tmp_path, *args), 2)
    assert says in errors
    assert errors.startswith("использование: python -m bot")
    assert "--help" in errors.splitlines()[-1]  # where to read more


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database (b.db) in a folder the commands run in."""
    folder = tmp_path_factory.mktemp("cli")
    assert bot(folder, "db", "upgrade").returncode == 0
    return folder


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["events", "import", "план.csv"],
         "ошибка: не удалось прочитать план.csv: нет такого файла (проверьте имя и папку)"),
        (["events", "import", "."], "ошибка: не удалось прочитать .: это папка, а нужен файл"),
        (["chats", "import", "чаты.csv"], "не удалось прочитать чаты.csv: нет такого файла"),
        (["orgs", "import", "."], "не удалось прочитать .: это папка, а нужен файл"),
        (["broadcast", "create", "--audience", "all", "--text-file", "нет.txt"],
         "не удалось прочитать нет.txt: нет такого файла"),
        (["broadcast", "create", "--audience", "all", "--text-file", "cp1251.txt"],
         "не удалось прочитать cp1251.txt: файл не в кодировке UTF-8 — сохраните его как UTF-8"),
        (["report", "--from", "2026-09-01", "--to", "2027-08-31", "--out", "папка.xlsx"],
         "ошибка: не удалось записать папка.xlsx: это папка, а нужен файл"),
        (["db", "backup", "cp1251.txt/copy.db"],
         "не удалось записать копию cp1251.txt/copy.db: в пути есть файл вместо папки"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_or_written_is_explained_in_russian(
    migrated: Path, args: list[str], says: str
) -> None:
    (migrated / "cp1251.txt").write_bytes("Собрание родителей".encode("cp1251"))
    (migrated / "папка.xlsx").mkdir(exist_ok=True)
    errors = russian_refusal(bot(migrated, *args), 1)
    assert says in errors


def test_db_upgrade_says_the_revision_the_database_is_really_at(tmp_path: Path) -> None:
    head = head_revision(f"sqlite+aiosqlite:///{tmp_path / 'any.db'}")  # the newest migration
    assert head is not None and head > "0005"
    fresh = bot(tmp_path, "db", "upgrade", "0005")
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("база данных на ревизии 0005: ")
    latest = bot(tmp_path, "db", "upgrade")
    assert latest.returncode == 0 and latest.stdout.startswith(f"база данных на ревизии {head}: ")
    again = bot(tmp_path, "db", "upgrade")  # an already migrated database: nothing to do
    assert again.returncode == 0 and again.stdout == latest.stdout
    back = bot(tmp_path, "db", "upgrade", "0001")  # was «на ревизии 0001», still at the head
    errors = russian_refusal(back, 1)
    assert back.stdout.startswith(f"база данных на ревизии {head}: ")
    assert f"база уже новее ревизии 0001 (она на {head})" in errors
    typo = bot(tmp_path, "db", "upgrade", "0210")  # was an Alembic traceback
    assert f"ошибка: ревизии «0210» нет; последняя — {head}" in russian_refusal(typo, 1)


def test_a_broken_knowledge_base_folder_is_named_not_a_traceback(tmp_path: Path) -> None:
    missing = bot(tmp_path, "faq", "export", "--json", FAQ_DIR=str(tmp_path / "faq"))
    assert "ошибка: FAQ_DIR: папки «" in russian_refusal(missing, 2)
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "categories.yaml").write_text("categories: [\n", encoding="utf-8")
    for args in (["faq", "search", "сертификат"], ["faq", "export", "--json"]):
        broken = bot(tmp_path, *args, FAQ_DIR=str(tmp_path / "faq"))
        lines = russian_refusal(broken, 2).splitlines()
        assert lines[0].startswith("ошибка: база знаний (FAQ_DIR) не загружается: categories.yaml")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["report", "--from", "0001-01-01", "--to", "0001-12-31", "--out", "r.xlsx"], 2,
         "--from: «0001-01-01» — проверьте год: 1"),
        (["report", "--from", "9999-01-01", "--to", "9999-12-31", "--out", "r.xlsx"], 2,
         "--from: «9999-01-01» — проверьте год: 9999"),
        (["broadcast", "create", "--audience", "all", "--text-file", "t.txt",
          "--at", "0001-01-01 00:00"], 1, "дата «0001-01-01 00:00»: проверьте год"),
    ],
)  # fmt: skip
def test_a_year_typed_with_a_slip_is_refused_not_a_traceback(
    migrated: Path, args: list[str], code: int, says: str
) -> None:
    (migrated / "t.txt").write_text("Собрание родителей в пятницу.", encoding="utf-8")
    assert says in russian_refusal(bot(migrated, *args), code)
    assert not (migrated / "r.xlsx").exists()


def test_events_import_help_names_the_excel_files_it_takes(migrated: Path) -> None:
    """The importer reads .xlsx (the panel and the bot take it too); --help said CSV or YAML."""
    from datetime import date

    from openpyxl import Workbook

    page = bot(migrated, "events", "import", "--help")
    assert page.returncode == 0 and ".xlsx" in page.stdout and "Excel" in page.stdout
    assert ".xlsx" in bot(migrated, "events", "--help").stdout
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "kind", "starts_at", "duration_min", "format", "place", "capacity"])
    year = date.today().year + 1
    sheet.append(["Семинар из Excel", "seminar", f"{year}-03-01 10:00", 90, "offline", "МОЦ", 25])
    sheet.append(["Ошибка в дате", "seminar", "01.03 10:00", 90, "offline", "МОЦ", 25])
    book.save(migrated / "plan.xlsx")
    refused = russian_refusal(bot(migrated, "events", "import", "plan.xlsx"), 1)
    assert refused.startswith("строка 3: начало (starts_at) «01.03 10:00» — нужен формат")
    sheet.delete_rows(3)
    book.save(migrated / "plan.xlsx")
    done = bot(migrated, "events", "import", "plan.xlsx")
    assert done.returncode == 0 and "новых 1." in done.stderr


def test_chats_saved_by_excel_with_emptied_rows_are_imported(migrated: Path) -> None:
    """Russian Excel's «CSV UTF-8»: BOM, «;», CRLF, and the rows someone cleared left as «;;»
    (the events import skipped such rows; the chats import refused the whole file)."""
    table = (
        "chat_id;title;audience\r\n-1001234500001;Родители 1А;parents\r\n;;\r\n"
        "-1001234500002;Директора;directors\r\n;;\r\n;;;\r\n"
    )
    (migrated / "chats.csv").write_bytes(table.encode("utf-8-sig"))
    done = bot(migrated, "chats", "import", "chats.csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Добавлено чатов: 2, обновлено: 0")
    listing = bot(migrated, "chats", "list").stdout
    assert "Родители 1А" in listing and "Директора" in listing


@pytest.mark.parametrize(
    ("db", "says"),
    [
        (".", "ошибка: --db .: это папка, а нужен файл базы чата (data/chat.db)"),
        ("notes.txt/chat.db", "ошибка: --db notes.txt/chat.db: в пути есть файл вместо папки"),
        ("notes.txt", "ошибка: --db notes.txt: файл не открывается как база SQLite"),
    ],
)
def test_chat_with_a_wrong_db_path_says_so(tmp_path: Path, db: str, says: str) -> None:
    (tmp_path / "notes.txt").write_text("не база данных\n" * 100, encoding="utf-8")
    errors = russian_refusal(bot(tmp_path, "chat", "--db", db), 1)
    assert errors.splitlines() == [says]


def test_an_events_plan_saved_back_by_russian_excel_is_imported(migrated: Path) -> None:
    """Excel takes «2027-09-15 10:00» for a date and saves it back as «15.09.2027 10:00» (with
    BOM, «;» and CRLF): every row used to be refused for its date format."""
    from datetime import date

    year = date.today().year + 1
    table = (
        "title;kind;starts_at;duration_min;format;place;capacity;registration_deadline\r\n"
        f"Семинар после Excel;seminar;15.09.{year} 10:00;90;offline;МОЦ, каб. 204;30;"
        f"13.09.{year} 18:00\r\n"
        f'Мастерская;workshop;"22.09.{year} 15:00;29.09.{year} 15:00";90;offline;МОЦ;20;\r\n'
        ";;;;;;;\r\n"
    )
    (migrated / "plan.csv").write_bytes(table.encode("utf-8-sig"))
    done = bot(migrated, "events", "import", "plan.csv")
    assert done.returncode == 0, done.stderr
    assert "Обновлено 0, без изменений 0, новых 2." in done.stderr
    listing = bot(migrated, "events", "list").stdout
    assert f"15.09.{year} 10:00" in listing and f"22.09.{year} 15:00" in listing
    wrong = migrated / "wrong.csv"
    wrong.write_text(table.replace(f"15.09.{year}", f"31.09.{year}"), encoding="utf-8")
    refused = russian_refusal(bot(migrated, "events", "import", "wrong.csv"), 1)
    assert refused.startswith(f"строка 2: начало (starts_at) «31.09.{year} 10:00» — нужен формат")


@pytest.mark.parametrize(
    ("database", "args", "says"),
    [
        ("notes.txt", ["db", "upgrade"], "база данных недоступна — это не файл базы SQLite."),
        (".", ["db", "upgrade"], "база данных недоступна — файл не открывается: это папка"),
        ("notes.txt/bot.db", ["db", "upgrade"], "недоступна — в пути есть файл вместо папки"),
        ("notes.txt", ["events", "list"], "ошибка базы данных: это не файл базы SQLite"),
        ("notes.txt", ["broadcast", "list"], "ошибка базы данных: это не файл базы SQLite"),
    ],
)
def test_a_database_url_naming_the_wrong_file_is_said_in_russian(
    tmp_path: Path, database: str, args: list[str], says: str
) -> None:
    """SQLite's «unable to open database file», «file is not a database» and the OS's
    «[Errno 17] File exists» used to reach the IT person as they were."""
    (tmp_path / "notes.txt").write_text("не база данных\n" * 100, encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / database}"
    done = bot(tmp_path, *args, DATABASE_URL=url)
    errors = russian_refusal(done, 2 if args[0] == "db" else 1)
    assert says in errors
    for english in ("unable to open", "file is not a database", "Errno"):
        assert english not in errors


def test_report_is_not_written_under_a_name_excel_opens_as_text(migrated: Path) -> None:
    """`--out отчёт.csv` wrote the .xlsx workbook into a .csv file: Excel shows it as garbage."""
    args = ["report", "--from", "2026-09-01", "--to", "2027-08-31", "--out"]
    errors = russian_refusal(bot(migrated, *args, "отчёт.csv"), 1)
    assert "ошибка: --out отчёт.csv: отчёт — книга Excel, назовите файл .xlsx" in errors
    assert not (migrated / "отчёт.csv").exists()
    assert bot(migrated, *args, "отчёт.XLSX").returncode == 0
