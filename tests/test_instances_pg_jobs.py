"""Two bot processes on one PostgreSQL and no Redis: each periodic job's work is done once.

A МОЦ that outgrew one process runs two (`python -m bot worker` twice, or `run` on two
servers) on one PostgreSQL without Redis. Both run every background job: reminders every
second, the broadcast worker, the outbox. What decides who sends must then be in the
database, not in either process's memory: the reminder, each group's copy of a scheduled
broadcast and a reply kept in the outbox reach the fake Telegram server exactly once.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import (
    Chat,
    ChatAudience,
    Event,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from storage.repositories.events import EventRepo
from tests.conftest import ADMIN, TOKEN
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.wait import until
from tests.test_multi_instance import WORKER_READY, Proc, spawn, stop

pytestmark = [pytest.mark.postgres]

TEACHER = 7_200_000_001
WAITING_REPLY = 7_200_000_002  # a reply the outbox keeps for this person
GROUPS = [-4_000_000 - i for i in range(1, 31)]
NEWS = "Собрание родителей в пятницу в 18:00"
KEPT = "Ответ специалиста МОЦ: справку можно принести позже"


@pytest.fixture
async def sm(pg_database: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(pg_database)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def seed(sm: SessionMaker) -> None:
    """A teacher registered for a seminar 40 minutes ahead (its 1-hour reminder is due), 30
    parents' groups, a broadcast to them due in 4 seconds, a reply waiting in the outbox."""
    now = datetime.now(UTC)
    async with sm() as s:
        s.add(User(id=TEACHER, first_name="Педагог", role=Role.TEACHER))
        s.add(User(id=WAITING_REPLY, first_name="Родитель", role=Role.PARENT))
        s.add_all(Chat(id=chat_id, kind="group", title=f"Класс {chat_id}") for chat_id in GROUPS)
        await s.flush()
        s.add_all(ChatAudience(chat_id=chat_id, audience="parents") for chat_id in GROUPS)
        event = Event(
            title="Семинар по проектам", kind="seminar",
            starts_at=now + timedelta(minutes=40), capacity=10,
        )  # fmt: skip
        await EventRepo(s).add(event)
        s.add(
            Registration(event_id=event.id, user_id=TEACHER, status=RegistrationStatus.REGISTERED)
        )
        s.add(OutboxMessage(channel="tg", chat_id=WAITING_REPLY, kind="text", text=KEPT))
        await create_broadcast(
            s, author_id=None, content=Content(kind="text", text=NEWS),
            target=Target(("parents",)), at=now + timedelta(seconds=4), now=now,
        )  # fmt: skip
        await s.commit()


def texts_to(server: FakeTelegramServer, chat_id: int) -> list[str]:
    return [
        str(c.params.get("text", ""))
        for c in server.calls
        if c.method == "sendmessage" and c.ok and int(c.params["chat_id"]) == chat_id
    ]


async def test_two_processes_on_one_postgres_without_redis_send_each_job_once(
    sm: SessionMaker, pg_database: str, tmp_path: Path
) -> None:
    await seed(sm)
    procs: list[Proc] = []
    async with FakeTelegramServer(TOKEN) as server:
        server.latency = (0.05, 0.15)  # sends in flight while the other process looks
        try:
            common = {
                **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": server.url,
                "DATABASE_URL": pg_database,
                "ADMIN_IDS": str(ADMIN.id),
                "WEB_HOST": "127.0.0.1",
                "WEB_PORT": "0",
                "LOG_LEVEL": "INFO",
                "BROADCAST_POLL_SECONDS": "1",
                "REMINDER_EVERY_SECONDS": "1",
                "REMINDER_QUIET_FROM": "0",  # equal hours: no night, whenever the test runs
                "REMINDER_QUIET_UNTIL": "0",
            }
            for name in ("W1", "W2"):
                env = common | {"BROADCAST_INSTANCE_ID": name}
                procs.append(await spawn(name, ["worker"], env, tmp_path))
            await asyncio.gather(*(p.ready(WORKER_READY) for p in procs))

            def all_sent() -> bool:
                return (
                    all(texts_to(server, g) for g in GROUPS)
                    and bool(texts_to(server, TEACHER))
                    and bool(texts_to(server, WAITING_REPLY))
                )

            await until(all_sent, within=60, what="every send")
            await asyncio.sleep(5)  # several more passes of both processes: nothing repeats
        finally:
            codes = await stop(procs)
        logs = "\n".join(p.log() for p in procs)
    assert codes == {"W1": 0, "W2": 0}, logs
    reminders = texts_to(server, TEACHER)
    assert len(reminders) == 1 and "Семинар по проектам" in reminders[0], reminders
    assert texts_to(server, WAITING_REPLY) == [KEPT]
    for group in GROUPS:
        assert texts_to(server, group) == [NEWS], group
    assert "Traceback" not in logs, logs
