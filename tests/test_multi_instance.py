"""Several processes on one PostgreSQL, as a regional МОЦ runs (issue 5, the multi-process test).

Two web instances (`python -m bot run --no-jobs` in webhook mode, A and B) and two workers
(`python -m bot worker`, W1 and W2) share one PostgreSQL database and one Redis; the fake Bot
API runs in this test process. Telegram's webhook deliveries are played by POSTing updates to
A and B.

- A 1,000-group broadcast: whichever worker claimed it (broadcasts.claimed_by) is SIGKILLed at
  30–40 % delivered; the other takes it over once the lease runs out and finishes it. Every
  group gets the message; repeats are allowed only for the sends in flight at the kill (at most
  BROADCAST_CONCURRENCY), and the ledger says `sent` for all 1,000.
- While the survivor waits for the lease, 60 teachers press «Записаться» on a 10-seat event,
  alternately through A and B, all at once: exactly 10 seats taken, 50 waiting, one row each.
- The same update POSTed to both instances at once is handled once (processed_updates).

Pace: BROADCAST_RATE=30 (the setting's maximum, Telegram's global limit) against a fake server
with 50–150 ms latency and no flood limits; BROADCAST_LEASE_SECONDS=10 (the minimum).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import (
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    Delivery,
    DeliveryStatus,
    Event,
    ProcessedUpdate,
    Registration,
    RegistrationStatus,
    Role,
    TeacherProfile,
    User,
)
from storage.repositories.events import EventRepo
from tests.conftest import ADMIN, TOKEN
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, JsonDict
from tests.helpers.wait import until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parent.parent
SECRET = "multi-instance-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEB_READY = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
WORKER_READY = re.compile(r"/metrics on 127\.0\.0\.1:(\d+)")

GROUPS = [-3_000_000 - i for i in range(1, 1001)]  # 1,000 bound group chats
RATE = 30  # BROADCAST_RATE: the setting's maximum
CONCURRENCY = 8  # BROADCAST_CONCURRENCY: the bound on duplicates after one crash
LEASE = 10  # BROADCAST_LEASE_SECONDS: the minimum the settings allow
LATENCY = (0.05, 0.15)  # per send, so sends are in flight when SIGKILL lands
KILL_FROM, KILL_TO = 300, 400  # of 1,000: the kill lands at 30–40 % delivered
TEXT = "Внимание: завтра занятия по расписанию"

SEATS = 10
TEACHERS = [FakeUser(7_100_000_000 + i, f"Педагог {i}") for i in range(60)]
LATECOMER = FakeUser(7_100_000_999, "Педагог поздний")  # the duplicate-delivery check


# --- processes ---------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    proc: asyncio.subprocess.Process
    log_path: Path
    port: int = 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def ready(self, pattern: re.Pattern[str], timeout: float = 60) -> int:  # noqa: ASYNC109
        """Wait for the line saying the process listens; returns its port."""
        deadline = time.monotonic() + timeout
        while not (found := pattern.search(self.log())):
            if self.proc.returncode is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.log()}")
            assert time.monotonic() < deadline, f"{self.name} not ready:\n{self.log()}"
            await asyncio.sleep(0.05)
        self.port = int(found.group(1))
        return self.port


async def spawn(name: str, args: list[str], env: dict[str, str], logs: Path) -> Proc:
    """Start `python -m bot ARGS`; its log goes to a file (a pipe nobody reads could fill up
    and stall the process)."""
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    return Proc(name, proc, log_path)


async def stop(procs: list[Proc], timeout: float = 20) -> dict[str, int]:  # noqa: ASYNC109
    """SIGTERM every live process, SIGKILL what has not exited within `timeout`."""
    for p in procs:
        if p.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                p.proc.send_signal(signal.SIGTERM)

    async def reap(p: Proc) -> int:
        try:
            return await asyncio.wait_for(p.proc.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                p.proc.kill()
            return await p.proc.wait()

    codes = await asyncio.gather(*(reap(p) for p in procs))
    return {p.name: code for p, code in zip(procs, codes, strict=True)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- data --------------------------------------------------------------------------------


@pytest.fixture
async def sm(pg_database: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(pg_database)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def seed(sm: SessionMaker) -> int:
    """1,000 groups bound to «parents», the teachers with profiles, a 10-seat event."""
    async with sm() as s:
        s.add_all(Chat(id=chat_id, kind="group", title=f"Класс {chat_id}") for chat_id in GROUPS)
        for teacher in [*TEACHERS, LATECOMER]:
            s.add(User(id=teacher.id, first_name=teacher.first_name, role=Role.TEACHER))
        await s.flush()
        s.add_all(ChatAudience(chat_id=chat_id, audience="parents") for chat_id in GROUPS)
        for teacher in [*TEACHERS, LATECOMER]:
            profile = TeacherProfile(user_id=teacher.id, full_name=f"{teacher.first_name} Иванов")
            profile.organisation, profile.position = "ДДТ", "педагог"
            profile.contact = "+7 900 000-00-00"
            s.add(profile)
        event = Event(
            title="Семинар для педагогов",
            kind="seminar",
            starts_at=datetime.now(UTC) + timedelta(days=7),
            capacity=SEATS,
        )
        await EventRepo(s).add(event)
        await s.commit()
        return event.id


async def start_broadcast(sm: SessionMaker) -> int:
    async with sm() as s:
        broadcast = await create_broadcast(
            s, author_id=None, content=Content(kind="text", text=TEXT),
            target=Target(("parents",)), at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await s.commit()
        return broadcast.id


def group_sends(server: FakeTelegramServer) -> Counter[int]:
    groups = set(GROUPS)
    return Counter(
        chat_id
        for c in server.calls
        if c.method == "sendmessage" and c.ok and (chat_id := int(c.params["chat_id"])) in groups
    )


async def card_press(
    http: aiohttp.ClientSession, server: FakeTelegramServer, teacher: FakeUser, event_id: int
) -> JsonDict:
    """The event card with «Записаться» in the teacher's chat, and the update of pressing it."""
    server.users[teacher.id] = teacher
    markup = {"inline_keyboard": [[{"text": "Записаться", "callback_data": f"ev:reg:{event_id}"}]]}
    payload = {"chat_id": teacher.id, "text": "Семинар для педагогов", "reply_markup": markup}
    async with http.post(f"{server.url}/bot{TOKEN}/sendMessage", json=payload) as response:
        assert (await response.json())["ok"]
    card = server.sent_to(teacher.id)[-1]
    return server.press(card, "Записаться", user=teacher)


async def deliver(http: aiohttp.ClientSession, port: int, update: JsonDict) -> int:
    url = f"http://127.0.0.1:{port}/telegram"
    async with http.post(url, json=update, headers={HEADER: SECRET}) as response:
        return response.status


# --- the test ----------------------------------------------------------------------------


async def test_two_web_instances_and_two_workers_on_one_postgres(
    sm: SessionMaker, pg_database: str, redis_url: str, tmp_path: Path
) -> None:
    event_id = await seed(sm)
    procs: list[Proc] = []
    async with FakeTelegramServer(TOKEN) as server, aiohttp.ClientSession() as http:
        try:
            common = {
                **os.environ,
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": server.url,
                "DATABASE_URL": pg_database,
                "REDIS_URL": redis_url,
                "ADMIN_IDS": str(ADMIN.id),
                "WEB_HOST": "127.0.0.1",
                "LOG_LEVEL": "INFO",
                "BROADCAST_RATE": str(RATE),
                "BROADCAST_CONCURRENCY": str(CONCURRENCY),
                "BROADCAST_LEASE_SECONDS": str(LEASE),
                "BROADCAST_POLL_SECONDS": "1",
            }
            webs: dict[str, int] = {"A": free_port(), "B": free_port()}
            for name, port in webs.items():
                env = common | {
                    "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                    "WEBHOOK_SECRET": SECRET,
                    "WEB_PORT": str(port),
                }
                procs.append(await spawn(name, ["run", "--no-jobs"], env, tmp_path))
            for name in ("W1", "W2"):
                env = common | {"WEB_PORT": "0", "BROADCAST_INSTANCE_ID": name}
                procs.append(await spawn(name, ["worker"], env, tmp_path))
            by_name = {p.name: p for p in procs}
            await asyncio.gather(
                *(by_name[n].ready(WEB_READY) for n in webs),
                *(by_name[n].ready(WORKER_READY) for n in ("W1", "W2")),
            )
            assert {by_name[n].port for n in webs} == set(webs.values())

            # the event cards are in the teachers' chats before sends get slow
            presses = [await card_press(http, server, t, event_id) for t in TEACHERS]
            late_press = await card_press(http, server, LATECOMER, event_id)
            server.latency = LATENCY

            # --- a 1,000-group broadcast; its worker dies at 30–40 % ---------------------
            t0 = time.monotonic()
            broadcast_id = await start_broadcast(sm)

            async def enough_sent() -> bool:
                return sum(group_sends(server).values()) >= KILL_FROM

            await until(enough_sent, 60, "30 % delivered")
            async with sm() as s:
                owner = await s.scalar(
                    select(Broadcast.claimed_by).where(Broadcast.id == broadcast_id)
                )
            assert owner in ("W1", "W2"), owner
            victim = by_name[owner]
            survivor = by_name["W2" if owner == "W1" else "W1"]
            victim.proc.kill()  # SIGKILL: no shutdown, sends in flight lose their outcome
            await victim.proc.wait()
            at_kill = sum(group_sends(server).values())
            killed_at = time.monotonic() - t0
            assert KILL_FROM <= at_kill < KILL_TO, at_kill
            async with sm() as s:
                stranded = await s.scalar(  # claimed, outcome never written: sent again
                    select(func.count())
                    .select_from(Delivery)
                    .where(Delivery.status == DeliveryStatus.SENDING)
                )

            # --- meanwhile: 60 teachers race for 10 seats through A and B ------------------
            ports = list(webs.values())
            statuses = await asyncio.gather(
                *(deliver(http, ports[i % 2], update) for i, update in enumerate(presses))
            )
            assert statuses == [200] * len(presses)
            async with sm() as s:
                rows = (
                    await s.execute(
                        select(Registration.user_id, Registration.status).where(
                            Registration.event_id == event_id
                        )
                    )
                ).all()
                taken = await s.scalar(select(Event.taken).where(Event.id == event_id))
            per_user = Counter(user_id for user_id, _ in rows)
            assert sorted(per_user) == sorted(t.id for t in TEACHERS)
            assert set(per_user.values()) == {1}, "a teacher has two registration rows"
            outcome = Counter(status for _, status in rows)
            assert outcome == {RegistrationStatus.REGISTERED: 10, RegistrationStatus.WAITING: 50}
            assert taken == SEATS
            assert all(answered_count(server, u["callback_query"]["id"]) == 1 for u in presses)

            # --- Telegram delivers one update to both instances at once: handled once ------
            both = await asyncio.gather(*(deliver(http, port, late_press) for port in ports))
            assert both == [200, 200]
            query_id = late_press["callback_query"]["id"]
            assert answered_count(server, query_id) == 1
            async with sm() as s:
                seen = await s.scalar(
                    select(func.count())
                    .select_from(ProcessedUpdate)
                    .where(ProcessedUpdate.update_id == late_press["update_id"])
                )
                late_rows = (
                    await s.scalars(
                        select(Registration.status).where(
                            Registration.event_id == event_id,
                            Registration.user_id == LATECOMER.id,
                        )
                    )
                ).all()
                handled = await s.scalar(select(func.count()).select_from(ProcessedUpdate))
            assert seen == 1
            assert list(late_rows) == [RegistrationStatus.WAITING]
            assert handled == len(presses) + 1

            # --- the survivor takes the broadcast over after the lease and finishes it -----
            async def finished() -> bool:
                async with sm() as s:
                    state = await s.scalar(
                        select(Broadcast.state).where(Broadcast.id == broadcast_id)
                    )
                return state == BroadcastState.DONE

            await until(finished, 75, "the survivor to finish the broadcast")
            took = time.monotonic() - t0
            codes = await stop(procs)
        finally:
            await stop(procs, timeout=10)

    got = group_sends(server)
    lost = [chat_id for chat_id in GROUPS if got[chat_id] == 0]
    duplicates = sum(n - 1 for n in got.values() if n > 1)
    print(
        f"\nbroadcast: {owner} killed at {killed_at:.1f}s after {at_kill} sends "
        f"({stranded} rows left `sending`); "
        f"{survivor.name} finished at {took:.1f}s; lost={len(lost)} duplicates={duplicates}"
    )
    assert lost == []
    assert duplicates <= CONCURRENCY
    assert all(len(server.sent_to(chat_id)) == got[chat_id] for chat_id in GROUPS)
    async with sm() as s:
        broadcast = await s.get_one(Broadcast, broadcast_id)
        ledger = Counter(
            (
                await s.scalars(
                    select(Delivery.status).where(Delivery.broadcast_id == broadcast_id)
                )
            ).all()
        )
    assert broadcast.claimed_by == survivor.name
    assert ledger == {DeliveryStatus.SENT: len(GROUPS)}

    # graceful stop of the rest; nothing left running
    assert all(p.proc.returncode is not None for p in procs)
    assert codes[victim.name] == -signal.SIGKILL
    for p in procs:
        if p is not victim:
            assert codes[p.name] == 0, f"{p.name} exited {codes[p.name]}:\n{p.log()}"


def answered_count(server: FakeTelegramServer, query_id: str) -> int:
    return sum(
        1
        for c in server.calls
        if c.method == "answercallbackquery" and c.params.get("callback_query_id") == query_id
    )
