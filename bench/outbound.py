"""People first while a broadcast goes out: answer latency, lost answers, 429s, broadcast pace.

Why: the bot's promise is that a person who writes gets an answer, and the busiest moment is
right after an announcement. A fake Bot API (real HTTP, 80 ms per send) enforces Telegram's
limits: 30 messages/s per bot, ~1/s into a private chat (burst of three), 20/min into a group,
`retry_after` on excess. The real bot (create_bot + create_dispatcher, long polling, a
migrated SQLite file) sends a `--chats`-group broadcast while `--people` parents each ask one
question at a random moment of it; then a `--together-chats` broadcast while
`--together-people` parents ask at the same moment (right after an announcement). Each scenario
runs twice, one after the other in this process:

- outbound: today's code — every send through handlers/tg/outbound.py (priorities, 429 → wait,
resend);
- direct: the behaviour before it — handlers send straight away, only the broadcast is paced
  (at the old BROADCAST_RATE default of 25/s); in the crowd scenario also "direct-28", the old
  code with the broadcast at our 28/s, i.e. with as little headroom as the outbound path.

Printed per run: answer latency p50/p95/p99 (question → first reply), answers lost (no reply
within `--grace` s after the broadcast ended), 429s by limit and early retries, and the
broadcast's pace as a share of the budget people left unused:
broadcast msgs/s ÷ (OUTBOUND_RATE − people's msgs/s) over the broadcast's duration.

    python bench/outbound.py [--chats 2000] [--people 50] [--together-chats 400]
        [--together-people 30] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.app.factory import Services, create_bot, create_dispatcher  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.services.faq import FaqService  # noqa: E402
from broadcasts.content import Content  # noqa: E402
from broadcasts.service import Target, create_broadcast  # noqa: E402
from storage.db import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Broadcast, BroadcastState, Chat, ChatAudience  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser  # noqa: E402

TOKEN = "123456:TEST-TOKEN"
LATENCY = 0.08
QUESTION = "как активировать сертификат"
RATE = 28.0  # OUTBOUND_RATE default
OLD_RATE = 25.0  # BROADCAST_RATE default before the outbound path


@dataclass
class Run:
    mode: str
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    answered: int = 0
    lost: int = 0
    too_many_requests: dict[str, int] = field(default_factory=dict)
    broadcast_sent: int = 0
    broadcast_s: float = 0.0
    broadcast_rate: float = 0.0
    people_rate: float = 0.0
    share_of_unused: float = 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if values else 0.0


async def seed(sm: SessionMaker, groups: list[int]) -> int:
    async with sm() as s:
        s.add_all(Chat(id=c, kind="group", title=f"Родители {c}") for c in groups)
        await s.flush()
        s.add_all(ChatAudience(chat_id=c, audience="parents") for c in groups)
        broadcast = await create_broadcast(
            s, author_id=None, content=Content(kind="text", text="Собрание в четверг в 18:00"),
            target=Target(("parents",)), at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await s.commit()
        return broadcast.id


async def done(sm: SessionMaker, broadcast_id: int) -> bool:
    async with sm() as s:
        state = (await s.get_one(Broadcast, broadcast_id, populate_existing=True)).state
        return state == BroadcastState.DONE


async def ask(
    server: FakeTelegramServer, parent: FakeUser, at: float, out: dict[int, float]
) -> None:
    await asyncio.sleep(at)
    asked = time.monotonic()
    server.user_sends(QUESTION, user=parent)
    try:
        await server.next_message(parent.id, timeout=600)
    except AssertionError:
        return
    out[parent.id] = time.monotonic() - asked


async def one_run(
    mode: str, chats: int, people: int, grace: float, faq: FaqService, *, together: bool = False
) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="moc-outbound-"))
    url = f"sqlite+aiosqlite:///{tmp / 'bot.db'}"
    await asyncio.to_thread(upgrade, url)
    rate = OLD_RATE if mode == "direct" else RATE  # "direct-28": the old code at our pace
    settings = Settings(
        _env_file=None, bot_token=TOKEN, database_url=url,  # type: ignore[call-arg]
        outbound_rate=rate, broadcast_poll_seconds=0.2, throttle_rate=5.0, throttle_burst=20,
    )  # fmt: skip
    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    groups = [-2_000_000 - i for i in range(chats)]
    parents = [FakeUser(7_000_000 + i, f"Родитель {i}") for i in range(people)]
    latencies: dict[int, float] = {}
    async with FakeTelegramServer(TOKEN, latency=LATENCY) as server:
        server.telegram_limits()
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.url))
        bot = create_bot(settings, session=session, outbound=mode == "outbound")
        dp = create_dispatcher(Services(settings, sm, faq))
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=True)
        )
        broadcast_id = await seed(sm, groups)
        span = chats / rate * 0.9
        rng = random.Random(9)
        askers = [
            asyncio.create_task(ask(server, p, rng.uniform(0.5, span), latencies)) for p in parents
        ]
        while True:
            if await done(sm, broadcast_id):
                break
            await asyncio.sleep(0.5)
        await asyncio.wait(askers, timeout=grace)
        for task in askers:
            task.cancel()
        await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=15)
        await dp.storage.close()
        run = measure(mode, server, set(groups), {p.id for p in parents}, latencies, rate)
    await engine.dispose()
    return run


def measure(
    mode: str,
    server: FakeTelegramServer,
    groups: set[int],
    parents: set[int],
    latencies: dict[int, float],
    rate: float,
) -> Run:
    sent = [c for c in server.calls if c.method == "sendmessage" and c.ok]
    to_groups = [c for c in sent if int(c.params["chat_id"]) in groups]
    to_people = [c for c in sent if int(c.params["chat_id"]) in parents]
    span = to_groups[-1].at - to_groups[0].at if len(to_groups) > 1 else 0.0
    in_span = [c for c in to_people if to_groups[0].at <= c.at <= to_groups[-1].at]
    run = Run(mode, answered=len(latencies), lost=len(parents) - len(latencies))
    values = list(latencies.values())
    run.p50, run.p95, run.p99 = (round(pct(values, q), 3) for q in (0.5, 0.95, 0.99))
    run.too_many_requests = server.flood_stats()
    run.broadcast_sent = len({int(c.params["chat_id"]) for c in to_groups})
    run.broadcast_s = round(span, 1)
    run.broadcast_rate = round(len(to_groups) / span, 2) if span else 0.0
    run.people_rate = round(len(in_span) / span, 2) if span else 0.0
    unused = RATE - run.people_rate  # the budget the bot allows itself, minus people's use
    run.share_of_unused = round(run.broadcast_rate / unused, 3) if unused > 0 else 0.0
    return run


def show(runs: list[Run], title: str) -> None:
    print(title)
    print("80 ms latency; Telegram's limits: 30/s, ~1/s per private chat, 20/min per group\n")
    head = f"{'':24}" + "".join(f"{r.mode:>14}" for r in runs)
    print(head)
    rows = [
        ("answer p50, s", lambda r: r.p50),
        ("answer p95, s", lambda r: r.p95),
        ("answer p99, s", lambda r: r.p99),
        ("answers lost", lambda r: r.lost),
        ("429 global", lambda r: r.too_many_requests.get("429_global", 0)),
        ("429 private", lambda r: r.too_many_requests.get("429_private", 0)),
        ("429 group", lambda r: r.too_many_requests.get("429_group", 0)),
        ("early retries", lambda r: r.too_many_requests.get("early_retry", 0)),
        ("broadcast chats reached", lambda r: r.broadcast_sent),
        ("broadcast msgs/s", lambda r: r.broadcast_rate),
        ("people msgs/s meanwhile", lambda r: r.people_rate),
        (f"share of unused {RATE:g}/s", lambda r: r.share_of_unused),
    ]
    for label, get in rows:
        print(f"{label:24}" + "".join(f"{get(r)!s:>14}" for r in runs))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--grace", type=float, default=30.0)
    parser.add_argument("--together-chats", type=int, default=400)
    parser.add_argument("--together-people", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    faq = FaqService(None)
    modes = ("outbound", "direct")
    spread = [await one_run(m, args.chats, args.people, args.grace, faq) for m in modes]
    crowd = [
        await one_run(m, args.together_chats, args.together_people, args.grace, faq, together=True)
        for m in (*modes, "direct-28")
    ]
    if args.json:
        runs = {"spread": [asdict(r) for r in spread], "together": [asdict(r) for r in crowd]}
        print(json.dumps(runs, ensure_ascii=False, indent=2))
    else:
        show(spread, f"{args.chats}-chat broadcast, {args.people} parents at random moments")
        print()
        show(
            crowd, f"{args.together_chats}-chat broadcast, {args.together_people} parents at once"
        )
    ours = (spread[0], crowd[0])
    ok = all(r.lost == 0 and r.too_many_requests.get("early_retry", 0) == 0 for r in ours)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
