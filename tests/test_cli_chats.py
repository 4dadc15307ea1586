"""`python -m bot chats import|list` as real processes on a fresh database: the shipped
example imports, a re-import changes nothing, a bad file names its lines and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.services.chats.importer import parse_chats_csv
from bot.services.import_errors import ImportErrors
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "chats.csv"
KEYS = {"chat_id", "channel", "title", "kind", "active", "audiences", "tags"}


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *map(str, args)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    def listing(self) -> dict[int, dict[str, Any]]:
        result = self("chats", "list", "--json")
        assert result.returncode == 0, result.stderr
        rows: list[dict[str, Any]] = json.loads(result.stdout)
        assert all(set(row) == KEYS for row in rows)
        return {row["chat_id"]: row for row in rows}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One migrated database for the module; each test uses its own chat ids."""
    db = tmp_path_factory.mktemp("cli_chats") / "bot.db"
    env = process_env(f"sqlite+aiosqlite:///{db}")
    run = Cli(env)
    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    return run


def test_example_imports_and_lists(cli: Cli, tmp_path: Path) -> None:
    result = cli("chats", "import", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "Добавлено чатов: 5, обновлено: 0, без изменений: 0" in result.stdout
    chats = cli.listing()
    assert chats[-1001000000101] == {
        "chat_id": -1001000000101, "channel": "tg", "title": "Родители, школа №5",
        "kind": "supergroup",
        "active": True, "audiences": ["parents"], "tags": [],
    }  # fmt: skip
    assert chats[-1001000000103]["audiences"] == ["staff", "teachers"]
    assert chats[-4000000104]["kind"] == "group"
    assert (chats[-68000000000105]["channel"], chats[-68000000000105]["kind"]) == ("max", "chat")

    again = cli("chats", "import", EXAMPLE)
    assert "Добавлено чатов: 0, обновлено: 0, без изменений: 5" in again.stdout

    changed = tmp_path / "changed.csv"
    changed.write_text(
        "chat_id;title;audience\n-1001000000103;Педагоги МОЦ;teachers\n", encoding="utf-8"
    )
    result = cli("chats", "import", changed)
    assert "Добавлено чатов: 0, обновлено: 1" in result.stdout, result.stderr
    row = cli.listing()[-1001000000103]
    assert (row["title"], row["audiences"]) == ("Педагоги МОЦ", ["teachers"])

    plain = cli("chats", "list")
    assert plain.returncode == 0 and "Педагоги МОЦ" in plain.stdout


def test_bad_file_names_lines_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "chat_id,title,audience\n"
        "-7001,Хорошая строка,parents\n"
        "abc,Без id,parents\n"
        "-7002,Неизвестная аудитория,parents;pupils\n"
        "-7001,Повтор,teachers\n"
        "-7003,Без аудитории,\n"
        "12345,Личный чат,parents\n",
        encoding="utf-8",
    )
    result = cli("chats", "import", bad)
    assert result.returncode == 1
    for line in ("строка 3: chat_id «abc»", "строка 4: неизвестная аудитория «pupils»",
                 "строка 5: chat_id -7001 уже был в строке 2", "строка 6: не указана",
                 "строка 7: chat_id 12345"):  # fmt: skip
        assert line in result.stderr
    assert "Ничего не импортировано." in result.stderr
    assert not {-7001, -7002, -7003} & set(cli.listing())


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"id,name\n-1,x\n", "нужны столбцы chat_id,title,audience"),
        (b"chat_id,title,audience\n-1,\x98,parents\n", "Сохранить как → CSV UTF-8"),
        (b"chat_id,title,audience\n", "нет ни одного чата"),
    ],
    ids=["header", "encoding", "empty"],
)
def test_unreadable_files(cli: Cli, tmp_path: Path, content: bytes, error: str) -> None:
    path = tmp_path / "chats.csv"
    path.write_bytes(content)
    result = cli("chats", "import", path)
    assert result.returncode == 1 and error in result.stderr


def test_every_problem_of_a_line_is_its_own_error() -> None:
    """Unlike the events import (one line per row), a chats row may fail twice."""
    data = "chat_id;title;audience\n-5;Школа;parents\nabc;x;parents\n7;y;\n".encode()
    with pytest.raises(ImportErrors) as caught:
        parse_chats_csv(data)
    assert caught.value.errors == [
        "строка 3: chat_id «abc» — не целое число",
        "строка 4: chat_id 7 — нужен id группы или канала (< 0)",
        "строка 4: не указана аудитория",
    ]
