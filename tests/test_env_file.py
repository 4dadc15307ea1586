"""`make test` on a configured server must not touch the database its .env names: with
MOC_ENV_FILE empty the CLI ignores .env; unset, it reads .env as always. Real CLI process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def upgrade(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOC_ENV_FILE")}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_an_empty_moc_env_file_leaves_the_databases_named_in_dot_env_alone(tmp_path: Path) -> None:
    production = tmp_path / "production.db"
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite+aiosqlite:///{production}\n")

    ignored = upgrade(tmp_path, MOC_ENV_FILE="")
    assert ignored.returncode == 0, ignored.stderr
    assert not production.exists()
    assert (tmp_path / "data" / "bot.db").exists()  # the default, beside the checkout

    read = upgrade(tmp_path)
    assert read.returncode == 0, read.stderr
    assert production.exists()
