"""`python -m bot chat` as staff use it: a real process, typed lines in, the bot's replies out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.app.console import menu_key
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent


def test_menu_keys_follow_the_russian_layout_and_keep_latin() -> None:
    assert [menu_key(k) for k in ("а", "Б", "в", "a", "c")] == [0, 1, 2, 0, 2]
    assert [menu_key(k) for k in ("ё", "1", "аб", "")] == [None, None, None, None]


def chat(tmp_path: Path, typed: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot chat --db tmp/chat.db`; DATABASE_URL points at the «real bot's» file,
    which the chat must leave alone."""
    real = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(tmp_path / "chat.db")],
        cwd=ROOT, env=process_env(real, **env), input=typed, capture_output=True, text=True,
        timeout=110, check=False,
    )  # fmt: skip


def test_a_parent_chooses_a_role_asks_and_opens_the_menu(tmp_path: Path) -> None:
    typed = "1\nкак активировать сертефикат\nа\n/quit\n"  # role button, question, menu key
    done = chat(tmp_path, typed)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Кто вы?" in out and "[1] Родитель" in out
    assert "Готово, вы — Родитель" in out
    assert "меню: [а] 📚 Частые вопросы | [б] 🙋 Спросить специалиста" in out
    answer = out.index("Активировать сертификат можно")  # the answer to the typed question
    assert "Спросить специалиста" in out[answer:]
    assert "Выберите тему:" in out[answer:]  # «а» pressed the first menu button


def test_a_teacher_finds_the_example_events_in_a_chat_of_its_own(tmp_path: Path) -> None:
    done = chat(tmp_path, "2\nа\n/quit\n", LOG_LEVEL="DEBUG")  # Педагог, «📅 Мероприятия»
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "примеры мероприятий" in out and "examples/events.yaml" in out
    listing = out.index("Ближайшие мероприятия")
    assert "Проектирование дополнительной общеобразовательной программы" in out[listing:]
    # the log goes to a file beside the chat's database, never into the conversation
    assert "chat.log" in out
    assert "logger=" not in out + done.stderr and "DEBUG" not in out + done.stderr
    assert "logger=" in (tmp_path / "chat.log").read_text(encoding="utf-8")
    assert (tmp_path / "chat.db").exists() and not (tmp_path / "bot.db").exists()
