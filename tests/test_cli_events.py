"""The staff commands work end to end as real processes: migrate, import, list, report, orgs.

Subprocesses catch what in-process tests cannot: argparse wiring in bot/app/cli/main.py, settings
read
from the environment, exit codes, and which stream a message goes to.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
JSON_KEYS = {"id", "title", "kind", "starts_at", "capacity", "registered", "waiting"}
# The CLI refuses past dates by the real clock, so the shipped example is imported moved by
# whole years into next year: same days and times, always in the future.
YEAR = datetime.now(UTC).year + 1
MOMENT = re.compile(r"\b(\d{4})(-\d\d-\d\d \d\d:\d\d)")


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *map(str, args)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    db = tmp_path_factory.mktemp("cli") / "bot.db"
    env = process_env(f"sqlite+aiosqlite:///{db}", TIMEZONE="Europe/Moscow")
    run = Cli(env)
    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    return run


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/events.csv with its first event's year moved to YEAR, the others alike."""
    text = (EXAMPLES / "events.csv").read_text(encoding="utf-8")
    shift = YEAR - min(int(year) for year, _ in MOMENT.findall(text))
    path = tmp_path_factory.mktemp("plan") / "events.csv"
    path.write_text(MOMENT.sub(lambda m: f"{int(m[1]) + shift}{m[2]}", text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported(cli: Cli, plan: Path) -> list[int]:
    result = cli("events", "import", plan)
    assert result.returncode == 0, result.stderr
    assert "Обновлено 0, без изменений 0, новых 6." in result.stderr
    return [int(line) for line in result.stdout.split()]


def _listing(cli: Cli) -> list[dict[str, Any]]:
    result = cli("events", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_import_prints_ids_and_list_json(cli: Cli, imported: list[int]) -> None:
    assert len(imported) == 6 and len(set(imported)) == 6
    rows = _listing(cli)
    assert [r["id"] for r in rows] == imported
    assert set(rows[0]) == JSON_KEYS
    first = rows[0]
    assert first["title"] == "Проектирование дополнительной общеобразовательной программы"
    assert (first["kind"], first["starts_at"]) == ("seminar", f"{YEAR}-09-15T10:00:00+03:00")
    assert (first["capacity"], first["registered"], first["waiting"]) == (30, 0, 0)
    assert {r["kind"] for r in rows} >= {"workshop", "webinar", "round_table", "master_class"}


def test_human_list(cli: Cli, imported: list[int]) -> None:
    result = cli("events", "list")
    assert result.returncode == 0, result.stderr
    assert "Педагогическая мастерская" in result.stdout and "0/20" in result.stdout
    assert f"15.09.{YEAR} 10:00" in result.stdout


def test_bad_file_reports_every_row_and_imports_nothing(
    cli: Cli, imported: list[int], plan: Path, tmp_path: Path
) -> None:
    lines = plan.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("workshop", "lecture")
    lines[4] = lines[4].replace(",40,", ",-1,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("events", "import", bad)
    assert result.returncode == 1 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("строка")]
    assert [e.split(":")[0] for e in errors] == ["строка 3", "строка 5"]
    assert "«lecture»" in errors[0] and "«-1»" in errors[1]
    assert len(_listing(cli)) == len(imported)


def test_report_writes_workbook(cli: Cli, imported: list[int], tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    result = cli("report", "--from", f"{YEAR}-09-01", "--to", f"{YEAR}-12-31", "--out", out)
    assert result.returncode == 0, result.stderr
    line, planned, channels, activity = result.stdout.splitlines()
    # next year's events are ahead: planned, not reported as held
    assert "мероприятий 0" in line and "занятий 0" in line and str(out) in line
    assert planned == "Запланировано (ещё не проведены, не входят в отчёт): 6"
    assert (
        channels.startswith("По мессенджерам: Telegram: записей ") and "MAX: записей 0" in channels
    )
    assert activity.startswith("Вопросов боту 0 (ответил сам 0), передано специалистам 0")
    book = load_workbook(out)
    assert book.sheetnames == [
        "Сводка", "По видам", "По организациям", "По месяцам", "Проведено", "Мероприятия",
        "Вопросы и рассылки",
    ]  # fmt: skip
    held = list(book["Проведено"].iter_rows(values_only=True))
    assert held[1][0] == f"сентябрь {YEAR}" and held[-1][:3] == ("Итого", 0, 0)
    narrow = cli("report", "--from", f"{YEAR}-09-15", "--to", f"{YEAR}-09-15", "--out", out)
    assert "не входят в отчёт): 1" in narrow.stdout
    backwards = cli("report", "--from", f"{YEAR}-12-31", "--to", f"{YEAR}-09-01", "--out", out)
    assert backwards.returncode == 1 and "--to" in backwards.stderr
    assert "Конец периода раньше начала" in backwards.stderr
    decade = f"{YEAR - 10}-09-01"
    ten_years = cli("report", "--from", decade, "--to", f"{YEAR}-08-31", "--out", out)
    assert ten_years.returncode == 1, ten_years.stdout
    assert "Период длиннее 5 лет: укажите период покороче." in ten_years.stderr
    # the days and periods /report reads: «01.09.2025», a school year, a calendar year
    typed = cli("report", "--from", f"01.09.{YEAR}", "--to", f"31.12.{YEAR}", "--out", out)
    assert typed.returncode == 0 and typed.stdout.splitlines()[0] == line, typed.stderr
    school = cli("report", "--from", f"{YEAR}-{YEAR + 1}", "--out", out)
    assert school.returncode == 0, school.stderr
    assert f"Отчёт с 01.09.{YEAR} по 31.08.{YEAR + 1}: мероприятий 0" in school.stdout
    assert "не входят в отчёт): 6" in school.stdout
    calendar = cli("report", "--from", f"{YEAR}", "--out", out)
    assert f"Отчёт с 01.01.{YEAR} по 31.12.{YEAR}: мероприятий 0" in calendar.stdout
    assert "не входят в отчёт): 6" in calendar.stdout
    bad_date = cli("report", "--from", "вчера", "--to", f"{YEAR}-09-01", "--out", out)
    assert bad_date.returncode == 2 and "«вчера» — Не понял дату" in bad_date.stderr
    assert "весь период в --from без --to: 2025-2026" in bad_date.stderr
    one_day = cli("report", "--from", f"01.09.{YEAR}", "--out", out)
    assert one_day.returncode == 1 and "это один день, укажите и --to" in one_day.stderr


def test_orgs_import_is_idempotent(cli: Cli) -> None:
    first = cli("orgs", "import", EXAMPLES / "organisations.txt")
    assert first.returncode == 0, first.stderr
    assert "Добавлено организаций: 10" in first.stdout
    again = cli("orgs", "import", EXAMPLES / "organisations.txt")
    assert "Добавлено организаций: 0" in again.stdout


def test_help_explains_the_format(cli: Cli) -> None:
    result = cli("events", "import", "--help")
    assert result.returncode == 0
    assert "registration_deadline" in result.stdout and "ГГГГ-ММ-ДД ЧЧ:ММ" in result.stdout
    report = cli("report", "--help")
    assert "--from 2025-2026 (учебный год)" in report.stdout and "01.09.2025" in report.stdout
    top = cli("--help")
    assert "events" in top.stdout and "report" in top.stdout and "orgs" in top.stdout
