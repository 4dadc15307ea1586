"""Broadcast throughput against Telegram's limits: how close to the configured rate, and clean?

Why: «as fast as Telegram allows» is a number. A fake Bot API server (real HTTP, 50–150 ms
latency) enforces Telegram's flood limits — 30 messages/s overall, 1/s per chat, 20/min per
group — and answers 429 above them. One broadcast goes to `--chats` recipients (80 % groups,
20 % private; a few blocked, a few migrated to supergroups) through the production worker,
limiter and TelegramChannel on a migrated SQLite database. Beside it, the naive loop everyone
writes first (`for chat: send; sleep(0.05)`) runs against a fresh server with the same limits,
on a sample when the full run would be too long, and its wall time is extrapolated.

Targets: ≥ 0.9 of the configured rate, 0 duplicates, 0 lost, 0 429s (the limiter should never
meet Telegram's). Prints PASS/FAIL; exit code 1 on FAIL.

    python bench/broadcast_throughput.py [--chats 2000] [--rate 25] [--naive-sample 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.exceptions import TelegramAPIError  # noqa: E402

from bot.core.clock import SystemClock  # noqa: E402
from broadcasts.content import Content  # noqa: E402
from broadcasts.service import Target, create_broadcast  # noqa: E402
from broadcasts.worker import BroadcastWorker  # noqa: E402
from handlers.tg.broadcast_channel import TelegramChannel  # noqa: E402
from storage.db import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Chat, ChatAudience, Subscription, User  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402

TOKEN = "123456:TEST-TOKEN"
ADMIN = 1000
LATENCY = (0.05, 0.15)
TEXT = "<b>Уважаемые родители!</b> Завтра занятия в кружках проходят по обычному расписанию."


@dataclass(frozen=True)
class Audience:
    groups: list[int]
    private: list[int]
    blocked: list[int]
    migrated: dict[int, int]  # old group id → supergroup id

    def deliverable(self) -> list[int]:
        """Where the message must arrive: everyone not blocked, migrated groups at the new id."""
        chats = [c for c in self.groups + self.private if c not in self.blocked]
        return [self.migrated.get(c, c) for c in chats]


@dataclass
class Side:
    name: str
    recipients: int
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    too_many_requests: int = 0
    wall_s: float = 0.0
    rate: float = 0.0  # messages delivered per second while sending
    fraction: float = 0.0  # of the configured rate
    note: str = ""


def make_audience(n: int) -> Audience:
    groups = [-1_000_000 - i for i in range(n * 4 // 5)]
    private = [10_000 + i for i in range(n - len(groups))]
    few = max(1, n // 400)
    blocked = groups[7 :: len(groups) // few][:few] + private[3 :: len(private) // few][:few]
    migrated = {g: -100_900_000 - i for i, g in enumerate(groups[11 :: len(groups) // few][:few])}
    return Audience(groups, private, blocked, migrated)


async def seed(sm: SessionMaker, audience: Audience) -> None:
    async with sm() as s:
        s.add_all(Chat(id=c, title=f"Родители {c}") for c in audience.groups)
        s.add_all(User(id=u, first_name=f"Родитель {u}") for u in audience.private)
        await s.flush()
        s.add_all(ChatAudience(chat_id=c, audience="parents") for c in audience.groups)
        s.add_all(Subscription(user_id=u, audience="parents") for u in audience.private)
        await s.commit()


def telegram(audience: Audience) -> FakeTelegramServer:
    server = FakeTelegramServer(TOKEN, latency=LATENCY)
    server.set_rate_limit(global_per_second=30, per_chat_per_second=1, group_per_minute=20)
    for chat_id in audience.blocked:
        server.block(chat_id)
    for old, new in audience.migrated.items():
        server.migrate(old, new)
    return server


def connect(server: FakeTelegramServer) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))


def measure(side: Side, server: FakeTelegramServer, expected: list[int], rate: float) -> Side:
    ok = [
        c
        for c in server.calls
        if c.method == "sendmessage" and c.ok and c.params.get("chat_id") != ADMIN
    ]
    got = Counter(int(c.params["chat_id"]) for c in ok)
    side.delivered = sum(got.values())
    side.duplicates = sum(n - 1 for n in got.values() if n > 1)
    side.lost = sum(1 for c in expected if got[c] == 0)
    side.too_many_requests = server.stats["429"]
    span = (ok[-1].at - ok[0].at) if len(ok) > 1 else 0.0
    side.rate = (len(ok) - 1) / span if span else 0.0
    side.fraction = side.rate / rate
    return side


async def ours(db_url: str, audience: Audience, rate: float, concurrency: int) -> Side:
    engine = create_engine(db_url)
    sm = create_sessionmaker(engine)
    await seed(sm, audience)
    async with telegram(audience) as server:
        bot = connect(server)
        progress = await bot.send_message(ADMIN, "Рассылка поставлена в очередь")
        async with sm() as s:
            content = Content(kind="text", text=TEXT, ack=True)
            await create_broadcast(
                s, author_id=ADMIN, content=content, target=Target(("parents",)), at=None,
                now=datetime.now(UTC), progress=(ADMIN, progress.message_id),
            )  # fmt: skip
            await s.commit()
        worker = BroadcastWorker(
            sm, TelegramChannel(bot), SystemClock(), instance_id="bench", rate=rate,
            concurrency=concurrency,
        )  # fmt: skip
        started = time.monotonic()
        await worker.run_once()
        side = Side("ours (ledger + limiter)", len(audience.groups) + len(audience.private))
        side.wall_s = time.monotonic() - started
        measure(side, server, audience.deliverable(), rate)
        await bot.session.close()
    await engine.dispose()
    return side


def naive_sample(audience: Audience, size: int) -> list[int]:
    """Every blocked and migrated chat (to show what the loop does with them), then a stride."""
    special = [*audience.blocked, *audience.migrated]
    rest = [c for c in audience.groups + audience.private if c not in special]
    picked = rest[:: max(1, len(rest) // max(1, size - len(special)))]
    return (special + picked)[:size]


async def naive(audience: Audience, sample: int, rate: float) -> Side:
    """`for chat: send; sleep(0.05)` — errors logged and skipped, as such loops do."""
    chats = naive_sample(audience, sample)
    async with telegram(audience) as server:
        bot = connect(server)
        started = time.monotonic()
        for chat_id in chats:
            try:
                await bot.send_message(chat_id, TEXT, parse_mode="HTML")
            except TelegramAPIError as exc:
                logging.getLogger("naive").info("%s: %s", chat_id, exc)
            await asyncio.sleep(0.05)
        side = Side("naive loop (send; sleep 0.05)", len(chats))
        side.wall_s = time.monotonic() - started
        expected = [audience.migrated.get(c, c) for c in chats if c not in audience.blocked]
        measure(side, server, expected, rate)
        await bot.session.close()
    total = len(audience.groups) + len(audience.private)
    if len(chats) < total:
        minutes = side.wall_s * total / len(chats) / 60
        side.note = (
            f"a sample of {len(chats)} incl. all {len(audience.blocked)} blocked and "
            f"{len(audience.migrated)} migrated; all {total} would take ~{minutes:.1f} min "
            "(extrapolated)"
        )
    return side


def passed(side: Side) -> bool:
    return side.fraction >= 0.9 and side.duplicates == side.lost == side.too_many_requests == 0


def show(sides: list[Side], rate: float) -> None:
    print(f"configured rate {rate:g} msg/s; Telegram limits 30/s, 1/s per chat, 20/min per group")
    heads = ("sent", "msg/s", "×rate", "429s", "dup", "lost", "wall s")
    print(f"{'':32}" + "".join(f"{h:>7}" for h in heads))
    for s in sides:
        print(
            f"{s.name:32}{s.delivered:>7}{s.rate:>7.1f}{s.fraction:>7.2f}"
            f"{s.too_many_requests:>7}{s.duplicates:>7}{s.lost:>7}{s.wall_s:>7.1f}"
        )
        if s.note:
            print(f"{'':32} {s.note}")


def on_postgres(admin_url: str, audience: Audience, rate: float, concurrency: int) -> Side:
    """The same run on PostgreSQL, in a database created for it and dropped afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"bench_{os.getpid()}_{int(time.time())}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        side = asyncio.run(ours(url, audience, rate, concurrency))
        side.name = f"{side.name} on PostgreSQL"
        return side
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PG_URL", ""),
        help="PostgreSQL server (postgresql+asyncpg://…) to also run on, in a throwaway "
        "database (default: $PG_URL, as `bash .ci/run` sets it)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    audience = make_audience(args.chats)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        mine = asyncio.run(ours(url, audience, args.rate, args.concurrency))
    sides = [mine]
    if args.pg_url:
        on_pg = on_postgres(args.pg_url, audience, args.rate, args.concurrency)
        sides.append(on_pg)
    baseline = asyncio.run(naive(audience, min(args.naive_sample, args.chats), args.rate))
    ok = all(passed(side) for side in sides)
    if args.json:
        result = {
            "rate": args.rate,
            "ours": asdict(mine),
            "ours_postgres": asdict(sides[1]) if len(sides) > 1 else None,
            "naive": asdict(baseline),
            "pass": ok,
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        show([*sides, baseline], args.rate)
        print("PASS" if ok else "FAIL: need ≥ 0.9 × rate, 0 duplicates, 0 lost, 0 429s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
