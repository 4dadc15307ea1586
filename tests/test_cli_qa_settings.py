"""A МОЦ's IT person with a typo in `.env`: the real `python -m bot` stops with one Russian line
per bad setting, naming it and what to type instead — never pydantic's English, never a
traceback, exit code 2 — and never echoes a secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ("Input should", "invalid literal", "unable to", "Traceback", "settings:", "codec")


def bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in `tmp_path` (its own .env, if the test wrote one)."""
    base = process_env(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", PYTHONPATH=str(ROOT))
    base.pop("MOC_ENV_FILE", None)  # `.env` in the working directory, as on a server
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=base | env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def refusal(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert not [word for word in ENGLISH if word in done.stderr], done.stderr
    return done.stderr.splitlines()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WEB_PORT", "8O80", "WEB_PORT: нужно целое число, а задано «8O80»"),
        ("WEB_PORT", "99999", "WEB_PORT: нужно число не больше 65535, а задано «99999»"),
        ("STAFF_CHAT_ID", "@moc_staff", "STAFF_CHAT_ID: нужно целое число"),
        ("ADMIN_IDS", "123456789, @ivanova", "ADMIN_IDS: нужны числовые id через запятую"),
        ("REMINDER_LEADS_MIN", "1440,час", "REMINDER_LEADS_MIN: минуты через запятую"),
        ("LOG_LEVEL", "подробно", "LOG_LEVEL: допустимо: DEBUG, INFO, WARNING, ERROR"),
        ("DEDUPE_UPDATES", "да", "DEDUPE_UPDATES: нужно true или false"),
        ("OUTBOUND_RATE", "28,5", "OUTBOUND_RATE: нужно число (дробная часть — через точку"),
        ("THROTTLE_RATE", "0", "THROTTLE_RATE: нужно число больше 0, а задано «0»"),
        ("CERTIFICATE_MODEL", "ПФДО", "CERTIFICATE_MODEL: допустимо: pfdo, social"),
        ("BOT_SHORT_DESCRIPTION", "ы" * 121, "нужно не длиннее 120 символов, а задано 121"),
    ],
)
def test_a_mistyped_setting_is_one_russian_line_naming_it(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    lines = refusal(bot(tmp_path, "db", "upgrade", MOC_ENV_FILE="", **{name: value}))
    assert lines == [lines[0]] and lines[0].startswith("ошибка: "), lines
    assert says in lines[0]
    assert not (tmp_path / "b.db").exists()  # refused before anything was touched


def test_two_mistakes_are_both_named_and_a_secret_is_never_shown(tmp_path: Path) -> None:
    secret = "has spaces and %"
    done = bot(
        tmp_path, "db", "upgrade",
        MOC_ENV_FILE="", WEB_PORT="x", WEBHOOK_URL="https://bot.example.org/t",
        WEBHOOK_SECRET=secret,
    )  # fmt: skip
    lines = refusal(done)
    assert lines[0] == "ошибка: неверные настройки:"
    assert any(line.strip().startswith("WEB_PORT: нужно целое число") for line in lines)
    assert any(line.strip().startswith("WEBHOOK_SECRET: ") for line in lines)
    assert secret not in done.stderr


def test_a_dot_env_saved_by_notepad_in_cp1251_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("MOC_NAME=МОЦ города Энска\n".encode("cp1251"))
    lines = refusal(bot(tmp_path, "db", "upgrade"))
    assert len(lines) == 1
    assert "файл настроек .env не в кодировке UTF-8" in lines[0], lines
    assert "сохраните его как UTF-8" in lines[0]


def test_a_settings_file_named_by_moc_env_file_but_missing_is_not_silently_skipped(
    tmp_path: Path,
) -> None:
    """It was ignored: the bot ran on defaults (another database) without a word."""
    lines = refusal(bot(tmp_path, "db", "upgrade", MOC_ENV_FILE="/etc/moc-bot/bot.env"))
    assert lines == ["ошибка: MOC_ENV_FILE: файла настроек «/etc/moc-bot/bot.env» нет — "
                     "проверьте путь"]  # fmt: skip
    assert not (tmp_path / "b.db").exists()
    (tmp_path / "bot.env").write_text("LOG_LEVEL=INFO\n", encoding="utf-8")
    assert bot(tmp_path, "db", "upgrade", MOC_ENV_FILE="bot.env").returncode == 0


@pytest.mark.parametrize("level", ["info", "Warning", " debug "])
def test_log_level_is_taken_in_any_case(tmp_path: Path, level: str) -> None:
    """`LOG_LEVEL=info`, as logging's docs and many .env samples write it, stopped the bot."""
    (tmp_path / ".env").write_text(f"LOG_LEVEL={level}\n", encoding="utf-8")
    done = bot(tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("база данных на ревизии ")
