"""The command line as a МОЦ's IT person meets it: a mistyped command, a wrong file, a wrong
date. Each is said in Russian on stderr, names what to fix, exits non-zero, and never shows a
Python traceback. Real `python -m bot` processes on real SQLite files in tmp_path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
        (["report", "--from", "2026-09-01"], "не указано: --to, --out"),
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
