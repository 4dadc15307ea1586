"""A broadcast or an events import run from the terminal has no author in a chat: the outcome
is printed in Russian on the console (the command's own, and the running bot's log), and the
bot reports to nobody — no error in its log — through the real bot and the fake Telegram
server, with `python -m bot …` as a separate process on the same database."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.services.events.exporting import events_csv
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness, make_settings, process_env
from tests.helpers.events import load_event, register, seed_event, seed_teacher

ROOT = Path(__file__).resolve().parent.parent
START = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=10)
NEWS = "Открыта запись на осенние семинары МОЦ"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, broadcast_poll_seconds=1)


async def cli(harness: BotHarness, *args: str) -> tuple[int, str, str]:
    """`python -m bot ARGS` on the bot's database, while the bot goes on running here."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT,
        env=process_env(harness.settings.database_url, MOC_ENV_FILE=""),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    return proc.returncode or 0, out.decode(), err.decode()


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def outcomes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "без автора" in r.getMessage()]


async def test_a_broadcast_from_the_terminal_prints_its_outcome_and_the_bot_tells_nobody(
    harness: BotHarness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    async with h.sessionmaker() as session:
        await Repositories(session).chats.subscribe(TEACHER.id, "teachers")
        await session.commit()
    text_file = tmp_path / "news.txt"
    text_file.write_text(NEWS, "utf-8")
    code, out, err = await cli(
        h, "broadcast", "create", "--audience", "teachers", "--text-file", str(text_file),
        "--wait",
    )  # fmt: skip
    assert code == 0, err
    broadcast_id = int(out.splitlines()[0])
    assert f"Рассылка №{broadcast_id} создана" in err
    assert f"✅ Рассылка №{broadcast_id} завершена.\nДоставлено: 1 из 1" in out  # the outcome
    got = await h.server.next_message(TEACHER.id, timeout=30)
    assert got.text == NEWS
    await asyncio.sleep(0.5)
    assert any(f"Рассылка №{broadcast_id} без автора" in m and "Доставлено: 1 из 1;" in m
               for m in outcomes(caplog)), outcomes(caplog)  # fmt: skip
    assert problems(caplog) == []


async def test_an_events_import_from_the_terminal_tells_the_registered_and_nobody_else(
    harness: BotHarness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=START)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await register(h.sessionmaker, event_id, TEACHER)
    event = await load_event(h.sessionmaker, event_id)
    later = START + timedelta(days=1)
    event.starts_at = later
    for one in event.sessions:
        one.starts_at = later
    plan = tmp_path / "план.csv"
    plan.write_bytes(events_csv([event], h.settings.tz))

    code, _, err = await cli(h, "events", "import", str(plan))
    assert code == 0, err
    assert "Обновлено 1," in err and "Уведомления записанным (рассылки №" in err
    notice = await h.server.next_message(TEACHER.id, timeout=30)
    assert notice.text and "Изменилось время" in notice.text
    for _ in range(100):  # the worker closes the notice after its last send
        if outcomes(caplog):
            break
        await asyncio.sleep(0.1)
    assert any("завершена" in m and "Доставлено: 1 из 1" in m for m in outcomes(caplog))
    assert problems(caplog) == []
