"""`python -m bot run` (what `make run` starts) refuses clearly when it cannot work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--migrate"],
        cwd=tmp_path,  # no .env here: only the environment counts
        env=base | env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_without_a_token_it_names_env_example(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode != 0
    assert "BOT_TOKEN не задан" in done.stderr and ".env.example" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    done = _run(tmp_path, BOT_TOKEN="123:abc", TIMEZONE="Europe/Mordor")
    assert done.returncode != 0
    assert "TIMEZONE: неизвестный часовой пояс 'Europe/Mordor'" in done.stderr
    assert "Traceback" not in done.stderr
