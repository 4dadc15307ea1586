"""`python -m bot chat` as staff use it: a real process, typed lines in, the bot's replies out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.console import menu_key
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent


def test_menu_keys_follow_the_russian_layout_and_keep_latin() -> None:
    assert [menu_key(k) for k in ("а", "Б", "в", "a", "c")] == [0, 1, 2, 0, 2]
    assert [menu_key(k) for k in ("ё", "1", "аб", "")] == [None, None, None, None]


def test_a_parent_chooses_a_role_asks_and_opens_the_menu(tmp_path: Path) -> None:
    env = process_env(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")
    typed = "1\nкак активировать сертефикат\nа\n/quit\n"  # role button, question, menu key
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=ROOT, env=env, input=typed, capture_output=True, text=True, timeout=110, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Кто вы?" in out and "[1] Родитель" in out
    assert "Готово, вы — Родитель" in out
    assert "меню: [а] 📚 Частые вопросы | [б] 🙋 Спросить специалиста" in out
    answer = out.index("Активировать сертификат можно")  # the answer to the typed question
    assert "Спросить специалиста" in out[answer:]
    assert "Выберите тему:" in out[answer:]  # «а» pressed the first menu button
