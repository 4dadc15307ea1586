"""`python -m bot broadcast …` as real processes on a migrated temporary database: create (now
and at a time, with tags and «Ознакомлен»), status, list, cancel, and the Russian errors."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from broadcasts.audience import Target, target_of
from broadcasts.content import Content
from storage.db import create_engine, create_sessionmaker
from storage.models import Broadcast, Chat, ChatAudience, ChatTag
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent
STATUS_KEYS = {"total", "sent", "failed", "blocked", "pending", "state", "channels"}
NEXT_YEAR = datetime.now(UTC).year + 1


class Cli:
    def __init__(self, env: dict[str, str], db_url: str) -> None:
        self.env, self.db_url = env, db_url

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *map(str, args)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    def json(self, *args: str | Path) -> Any:
        result = self(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


async def _seed(url: str) -> None:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        chat = Chat(id=-1002001, kind="supergroup", title="Родители школы 5")
        chat.audiences = [ChatAudience(chat_id=chat.id, audience="parents")]
        chat.tags = [ChatTag(chat_id=chat.id, tag="школа5")]
        session.add(chat)
        await session.commit()
    await engine.dispose()


async def _stored(url: str, broadcast_id: int) -> Broadcast:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        broadcast = (
            await session.scalars(select(Broadcast).where(Broadcast.id == broadcast_id))
        ).one()
    await engine.dispose()
    return broadcast


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    db = tmp_path_factory.mktemp("cli_broadcasts") / "bot.db"
    url = f"sqlite+aiosqlite:///{db}"
    env = process_env(url, TIMEZONE="Europe/Moscow")
    run = Cli(env, url)
    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    asyncio.run(_seed(url))
    return run


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "news.html"
    path.write_text("<b>Собрание</b> родителей в четверг &amp; чай\n", encoding="utf-8")
    return path


def test_create_at_a_time_then_status_list_cancel(cli: Cli, text_file: Path) -> None:
    at = f"{NEXT_YEAR}-03-10 18:30"
    created = cli.json(
        "broadcast", "create", "--audience", "parents", "--tag", "#Школа5",
        "--text-file", text_file, "--at", at, "--ack",
    )  # fmt: skip
    assert set(created) == {"id"} and isinstance(created["id"], int)
    bid = created["id"]
    stored = asyncio.run(_stored(cli.db_url, bid))
    assert stored.scheduled_at == datetime(NEXT_YEAR, 3, 10, 15, 30, tzinfo=UTC)
    assert target_of(stored) == Target(("parents",), ("школа5",), include_private=False)
    assert Content.from_json(stored.content).ack is True

    status = cli.json("broadcast", "status", str(bid))
    assert set(status) == STATUS_KEYS
    assert status == {"total": 1, "sent": 0, "failed": 0, "blocked": 0, "pending": 1,
                      "state": "scheduled", "channels": {}}  # fmt: skip
    human = cli("broadcast", "status", str(bid))
    assert f"№{bid}" in human.stdout and f"10.03.{NEXT_YEAR} 18:30" in human.stdout

    listing = cli.json("broadcast", "list")
    assert listing[0]["id"] == bid and listing[0]["preview"].startswith("Собрание родителей")

    cancelled = cli("broadcast", "cancel", str(bid))
    assert cancelled.returncode == 0 and f"№{bid} отменена" in cancelled.stdout
    again = cli("broadcast", "cancel", str(bid))
    assert again.returncode == 1
    assert again.stderr.strip() == f"ошибка: рассылку №{bid} не отменить: она отменена"
    assert cli.json("broadcast", "status", str(bid))["state"] == "cancelled"


def test_create_now_prints_the_id(cli: Cli, text_file: Path) -> None:
    result = cli("broadcast", "create", "--audience", "all", "--text-file", text_file)
    assert result.returncode == 0, result.stderr
    bid = int(result.stdout.strip())
    stored = asyncio.run(_stored(cli.db_url, bid))
    assert stored.audiences == "parents,directors,teachers" and stored.state == "scheduled"
    assert abs((stored.scheduled_at - datetime.now(UTC)).total_seconds()) < 60


def test_errors_go_to_stderr_in_russian(cli: Cli, text_file: Path, tmp_path: Path) -> None:
    missing = cli("broadcast", "create", "--audience", "parents", "--text-file", tmp_path / "no")
    assert missing.returncode == 1 and "не удалось прочитать" in missing.stderr
    bad_date = cli(
        "broadcast", "create", "--audience", "parents", "--text-file", text_file,
        "--at", "10.03.2030 18:30",
    )  # fmt: skip
    assert bad_date.returncode == 1 and "ГГГГ-ММ-ДД ЧЧ:ММ" in bad_date.stderr
    past = cli(
        "broadcast", "create", "--audience", "parents", "--text-file", text_file,
        "--at", "2020-01-01 10:00",
    )  # fmt: skip
    assert past.returncode == 1 and "уже прошло" in past.stderr
    nobody = cli("broadcast", "create", "--audience", "teachers", "--text-file", text_file)
    assert nobody.returncode == 1 and "некому отправить" in nobody.stderr
    broken = tmp_path / "broken.html"
    broken.write_text("<b>не закрыт", encoding="utf-8")
    html = cli("broadcast", "create", "--audience", "parents", "--text-file", broken)
    tag = cli(
        "broadcast", "create", "--audience", "parents", "--text-file", text_file,
        "--tag", "школа 5",
    )  # fmt: skip
    assert tag.returncode == 1 and "тег «школа 5» не подходит" in tag.stderr
    assert html.returncode == 1 and "Ошибка разметки: тег <b> не закрыт" in html.stderr
    unknown = cli("broadcast", "status", "99999")
    assert unknown.returncode == 1 and "не найдена" in unknown.stderr
    for result in (missing, bad_date, past, nobody, html, tag, unknown):
        assert result.stdout == "" and "Traceback" not in result.stderr
