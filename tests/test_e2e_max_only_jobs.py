"""Issue 11: `python -m bot run` with only MAX_BOT_TOKEN runs the same background jobs and staff
panel as a Telegram bot: a MAX teacher is reminded at the lead time, a broadcast created from
the CLI reaches bound MAX groups once each, and the panel answers beside MAX's webhook.

Each test starts the real process against the fake MAX server (real HTTP on 127.0.0.1) and
stops it with SIGTERM, as systemd would."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import func, select

from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, ChatAudience
from storage.repositories import Repositories
from tests.conftest import TOKEN, process_env
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_event
from tests.helpers.max_both import seed_max_teacher
from tests.helpers.wait import until

ROOT = Path(__file__).resolve().parent.parent
ADMIN = MaxUser(50_000_000_001, "Анна", "Петрова")
TEACHER = MaxUser(50_000_000_321, "Марина", "Соколова")
FATHER = MaxUser(50_000_000_777, "Иван", "Смирнов")
GROUPS = (-68_000_000_000_101, -68_000_000_000_102)
UNBOUND = -68_000_000_000_103
SECRET = "max-secret_12345"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def max_only(
    tmp_path: Path, db_path: Path, fake: FakeMaxServer, *args: str, **env: str
) -> AsyncIterator[Path]:
    """The MAX-only bot running until the block ends; yields its log file."""
    log = tmp_path / "bot.log"
    defaults = {"WEB_HOST": "127.0.0.1", "WEB_PORT": "0", "LOG_LEVEL": "INFO",
                "REMINDER_EVERY_SECONDS": "1", "BROADCAST_POLL_SECONDS": "0.5"}  # fmt: skip
    environ = process_env(
        f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT), MAX_BOT_TOKEN=fake.token,
        MAX_API_URL=fake.url, MAX_ADMIN_IDS=str(ADMIN.user_id), **(defaults | env),
    )  # fmt: skip
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *args, cwd=tmp_path, env=environ,
            stdout=asyncio.subprocess.DEVNULL, stderr=out,
        )  # fmt: skip
    try:
        await until(lambda: "MAX only" in log.read_text() or process.returncode is not None,
                    60, "the bot to start")  # fmt: skip
        assert process.returncode is None, log.read_text()[-3000:]
        yield log
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 40)
    assert code == 0, log.read_text()[-3000:]


async def seed_registration(sm: SessionMaker) -> None:
    """TEACHER (in MAX) registered for a seminar starting in 40 minutes."""
    uid = await seed_max_teacher(sm, TEACHER)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=40)
    event_id = await seed_event(sm, starts_at=starts, title="Семинар «Наставники»")
    async with sm() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()


async def test_a_max_teacher_is_reminded_at_the_lead_time(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker, max_server: FakeMaxServer
) -> None:
    await seed_registration(sessionmaker)
    max_server.dialog(TEACHER)
    async with max_only(tmp_path, db_path, max_server, REMINDER_LEADS_MIN="60"):
        (reminder,) = await max_server.wait_sent(TEACHER, 1, within=30)
        assert "Напоминание" in reminder.plain and "Семинар «Наставники»" in reminder.plain
        assert "через 40 мин" in reminder.plain or "через 39 мин" in reminder.plain
        await asyncio.sleep(2.5)  # two more passes of the scheduler: no second reminder
        assert len(max_server.sent_to(TEACHER)) == 1


async def test_no_jobs_sends_no_reminder(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker, max_server: FakeMaxServer
) -> None:
    """`run --no-jobs` leaves the jobs to `python -m bot worker` in MAX-only mode too."""
    await seed_registration(sessionmaker)
    max_server.dialog(TEACHER)
    leads = {"REMINDER_LEADS_MIN": "60"}
    async with max_only(tmp_path, db_path, max_server, "--no-jobs", **leads) as log:
        await asyncio.sleep(3)  # three reminder passes, had the scheduler run
        assert max_server.sent_to(TEACHER) == []
    assert "background jobs off" in log.read_text()
    assert "background jobs started" not in log.read_text()


async def test_a_cli_broadcast_reaches_bound_max_groups_once_each(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker, max_server: FakeMaxServer
) -> None:
    max_server.dialog(ADMIN)  # the bot tells the admin about each new chat
    async with max_only(tmp_path, db_path, max_server) as log:
        for group in (*GROUPS, UNBOUND):
            max_server.bot_added(group, by=ADMIN, title=f"Чат {group}")
        for group in GROUPS:
            max_server.user_writes(ADMIN, "/bind parents", chat_id=group)

        async def bound() -> int:
            async with sessionmaker() as session:
                query = select(func.count()).where(ChatAudience.audience == "parents")
                return int(await session.scalar(query.select_from(ChatAudience)) or 0)

        for _ in range(300):
            if await bound() == len(GROUPS):
                break
            await asyncio.sleep(0.1)
        assert await bound() == len(GROUPS), log.read_text()[-3000:]
        before = {g: len(max_server.sent_to(g)) for g in (*GROUPS, UNBOUND)}

        text_file = tmp_path / "news.txt"
        text_file.write_text("Собрание родителей в четверг в 18:00", encoding="utf-8")
        cli = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "broadcast", "create", "--audience", "parents",
            "--text-file", str(text_file), "--json", cwd=tmp_path,
            env=process_env(f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT)),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(cli.communicate(), 60)
        assert cli.returncode == 0, err.decode()
        broadcast_id = json.loads(out)["id"]

        async def state() -> str | None:
            async with sessionmaker() as session:
                found = await session.get(Broadcast, broadcast_id)
                return found.state if found else None

        for _ in range(300):
            if await state() == BroadcastState.DONE:
                break
            await asyncio.sleep(0.1)
        assert await state() == BroadcastState.DONE, log.read_text()[-3000:]
        await asyncio.sleep(1.5)  # three more polls of the worker: nothing goes twice

    for group in GROUPS:
        news = [m for m in max_server.sent_to(group)[before[group] :] if "Собрание" in m.plain]
        assert len(news) == 1, group
    assert len(max_server.sent_to(UNBOUND)) == before[UNBOUND]


async def test_the_panel_and_max_webhook_share_one_listener(
    tmp_path: Path, db_path: Path, max_server: FakeMaxServer
) -> None:
    port = free_port()
    webhook = {"MAX_WEBHOOK_URL": "https://bot.example.org/max/hook",
               "MAX_WEBHOOK_SECRET": SECRET, "WEB_PORT": str(port)}  # fmt: skip
    async with max_only(tmp_path, db_path, max_server, **webhook):
        base = f"http://127.0.0.1:{port}"
        async with ClientSession(base) as http:
            async with http.get("/healthz") as response:
                assert response.status == 200
            async with http.get("/web/signin") as response:
                assert response.status == 200
                assert "Вход в веб-панель" in await response.text()
            async with http.post("/max/hook", json={"update_type": "bot_started"}) as response:
                assert response.status == 401  # MAX's route is here, and checks the secret
        [sub] = max_server.subscriptions
        sub["url"] = f"{base}/max/hook"  # the fake now delivers to our listener
        max_server.bot_started(FATHER)
        welcome = await max_server.wait_sent(FATHER, 1, within=30)
        assert "Кто вы?" in welcome[0].plain
        await until(lambda: max_server.webhook_deliveries, 10, "the delivery to be noted")
        assert max_server.webhook_deliveries[0][1] == 200


async def test_the_worker_of_a_telegram_and_max_bot_reminds_in_max(
    tmp_path: Path, db_path: Path, sessionmaker: SessionMaker, max_server: FakeMaxServer,
    server: FakeTelegramServer,
) -> None:  # fmt: skip
    """`python -m bot worker` has no MAX runtime; its reminders still reach a MAX teacher in
    MAX (before: through Telegram, which knows no such chat)."""
    await seed_registration(sessionmaker)
    max_server.dialog(TEACHER)
    log = tmp_path / "worker.log"
    environ = process_env(
        f"sqlite+aiosqlite:///{db_path}", PYTHONPATH=str(ROOT), BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.url, MAX_BOT_TOKEN=max_server.token, MAX_API_URL=max_server.url,
        WEB_HOST="127.0.0.1", WEB_PORT="0", LOG_LEVEL="INFO", REMINDER_EVERY_SECONDS="1",
        REMINDER_LEADS_MIN="60",
    )  # fmt: skip
    with log.open("wb") as out:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", cwd=tmp_path, env=environ,
            stdout=asyncio.subprocess.DEVNULL, stderr=out,
        )  # fmt: skip
    try:
        (reminder,) = await max_server.wait_sent(TEACHER, 1, within=60)
        assert "Напоминание" in reminder.plain and "Семинар «Наставники»" in reminder.plain
    finally:
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), 40)
    assert code == 0, log.read_text()[-3000:]
    assert not [c for c in server.calls if c.method == "sendmessage"]
