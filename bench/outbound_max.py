"""People first in MAX while a broadcast goes out: answer latency, lost answers, 429s, pace.

The MAX side of bench/outbound.py. A fake MAX Bot API (real HTTP) enforces MAX's limits — 30
requests a second per bot (dev.max.ru), two messages a second into one chat — and answers 429
`too.many.requests` with no retry hint above them. The real MAX-only process (MaxRuntime long
polling + the jobs loop, a migrated SQLite file, MAX_RATE 20) sends a `--chats`-group
broadcast while `--people` parents each ask one question at a random moment of it; then a
«429 storm»: MAX takes only `--storm-rps` requests a second while a `--storm-chats` broadcast
goes and `--storm-people` parents ask at once. Each scenario runs twice in this process:

- today: the code as it is — a broadcast takes only slots people leave unused
  (MaxPacer.acquire_spare), any 429 halves the bot's whole MAX pace and it climbs back (AIMD),
  a refused poll comes again in 1 s;
- before: the broadcast paced on its own at MAX_RATE beside the replies, a 429 pauses only
  its chat, a refused poll waits 6 s (the behaviour before the AIMD pace).

Printed per run: answer latency p50/p95/p99 (question → first reply), answers lost (no reply
within `--grace` s after the broadcast ended), 429s met by answers, by the broadcast and by
polls, groups reached exactly once, the broadcast's pace, and its share of the budget people
left unused: broadcast msgs/s ÷ (budget − people's msgs/s), the budget being MAX_RATE, or in
the storm what MAX takes.

    python bench/outbound_max.py [--chats 2000] [--people 50] [--storm-chats 300]
        [--storm-people 20] [--storm-rps 6] [--json]
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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app.factory import Services  # noqa: E402
from bot.app.jobs import Jobs  # noqa: E402
from bot.app.max_runtime import MaxRuntime  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.services.faq import FaqService  # noqa: E402
from broadcasts.content import Content  # noqa: E402
from broadcasts.service import Target, create_broadcast  # noqa: E402
from handlers.max import pacing, polling  # noqa: E402
from storage.db import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Broadcast, BroadcastState, Chat, ChatAudience  # noqa: E402
from storage.repositories import Repositories  # noqa: E402
from tests.fakes.max_api import FakeMaxServer  # noqa: E402
from tests.fakes.max_model import MaxUser  # noqa: E402

QUESTION = "как активировать сертификат"
TEXT = "Собрание в четверг в 18:00"
RATE = 20.0  # MAX_RATE default
MAX_RPS = 30.0  # MAX's documented limit per bot


@dataclass
class Run:
    mode: str
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    answered: int = 0
    lost: int = 0
    refused_answers: int = 0
    refused_broadcast: int = 0
    refused_polls: int = 0
    groups_once: int = 0
    groups: int = 0
    broadcast_s: float = 0.0
    broadcast_rate: float = 0.0
    people_rate: float = 0.0
    share_of_unused: float = 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if values else 0.0


@contextmanager
def before() -> Iterator[None]:
    """The pace as it was: no spare slots, no bot-wide slow-down, a 6 s pause after a
    refused poll."""

    async def own_pace(self: pacing.MaxPacer, chat_id: int) -> None:
        return None

    saved = (pacing.MaxPacer.acquire_spare, pacing.MaxPacer.slow_down, polling.PAUSE_AFTER_FLOOD)
    pacing.MaxPacer.acquire_spare = own_pace  # type: ignore[method-assign]
    pacing.MaxPacer.slow_down = lambda self: None  # type: ignore[method-assign]
    polling.PAUSE_AFTER_FLOOD = 6.0  # type: ignore[misc]
    try:
        yield
    finally:
        pacing.MaxPacer.acquire_spare, pacing.MaxPacer.slow_down = saved[:2]  # type: ignore[method-assign]
        polling.PAUSE_AFTER_FLOOD = saved[2]  # type: ignore[misc]


async def seed(sm: SessionMaker, groups: list[int]) -> int:
    async with sm() as s:
        repo = Repositories(s)
        ids = [await repo.channel_ids.internal("max", "chat", g) for g in groups]
        s.add_all(Chat(id=i, kind="chat", title=f"Родители {i}") for i in ids)
        await s.flush()
        s.add_all(ChatAudience(chat_id=i, audience="parents") for i in ids)
        broadcast = await create_broadcast(
            s, author_id=None, content=Content(kind="text", text=TEXT),
            target=Target(("parents",)), at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await s.commit()
        return broadcast.id


async def done(sm: SessionMaker, broadcast_id: int) -> bool:
    async with sm() as s:
        state = (await s.get_one(Broadcast, broadcast_id, populate_existing=True)).state
        return state == BroadcastState.DONE


async def ask(fake: FakeMaxServer, parent: MaxUser, at: float, out: dict[int, float]) -> None:
    await asyncio.sleep(at)
    asked = time.monotonic()
    fake.user_writes(parent, QUESTION)
    try:
        await fake.wait_sent(parent, 1, within=600)
    except (AssertionError, TimeoutError):
        return
    out[parent.user_id] = time.monotonic() - asked


async def one_run(
    mode: str, chats: int, people: int, grace: float, faq: FaqService, *,
    rps: float = MAX_RPS, together: bool = False,
) -> Run:  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="moc-outbound-max-"))
    url = f"sqlite+aiosqlite:///{tmp / 'bot.db'}"
    await asyncio.to_thread(upgrade, url)
    groups = [-74_000_000_000_000 - i for i in range(chats)]
    parents = [MaxUser(50_000_020_000 + i, f"Родитель {i}") for i in range(people)]
    latencies: dict[int, float] = {}
    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    async with FakeMaxServer() as fake:
        fake.set_limits(per_chat=2, global_rps=rps)
        for group in groups:
            fake.add_group(group)
        settings = Settings(
            _env_file=None, bot_token=None, max_bot_token=fake.token,
            max_api_url=fake.url, database_url=url, max_rate=RATE, broadcast_poll_seconds=0.2,
            throttle_rate=5.0, throttle_burst=20,
        )  # fmt: skip
        services = Services(settings, sm, faq)
        runtime = MaxRuntime(
            settings, sm, services.faq, services.querylog, services.clock, services.switchboard,
            poll_seconds=1, roster=services.roster,
        )  # fmt: skip
        await runtime.start()
        jobs = Jobs(settings, sm, services.clock, services.switchboard)
        await jobs.start()
        began = time.monotonic()
        broadcast_id = await seed(sm, groups)
        span = 0.5 if together else chats / RATE * 0.9
        rng = random.Random(9)
        askers = []
        for parent in parents:
            at = 0.5 if together else rng.uniform(0.5, span)
            askers.append(asyncio.create_task(ask(fake, parent, at, latencies)))
        while True:
            if await done(sm, broadcast_id):
                break
            await asyncio.sleep(0.5)
        took = time.monotonic() - began
        await asyncio.wait(askers, timeout=grace)
        for task in askers:
            task.cancel()
        await jobs.stop()
        await runtime.stop()
        run = measure(mode, fake, groups, latencies, people, took, min(RATE, rps))
    await engine.dispose()
    return run


def measure(
    mode: str, fake: FakeMaxServer, groups: list[int], latencies: dict[int, float],
    people: int, took: float, budget: float,
) -> Run:  # fmt: skip
    sends = fake.calls_to("POST", "/messages")
    run = Run(mode, answered=len(latencies), lost=people - len(latencies))
    values = list(latencies.values())
    run.p50, run.p95, run.p99 = (round(pct(values, q), 3) for q in (0.5, 0.95, 0.99))
    run.refused_answers = len([c for c in sends if c.status == 429 and "user_id" in c.query])
    run.refused_broadcast = len([c for c in sends if c.status == 429 and "chat_id" in c.query])
    run.refused_polls = len([c for c in fake.calls_to("GET", "/updates") if c.status == 429])
    got = Counter(m.chat_id for m in fake.sent if TEXT in m.text)
    run.groups, run.groups_once = len(groups), sum(1 for g in groups if got[g] == 1)
    answers = [c for c in sends if c.status == 200 and "user_id" in c.query]
    run.broadcast_s = round(took, 1)
    run.broadcast_rate = round(sum(got.values()) / took, 2) if took else 0.0
    run.people_rate = round(len(answers) / took, 2) if took else 0.0
    unused = budget - run.people_rate  # what the bot may send (MAX_RATE, or MAX's storm)
    run.share_of_unused = round(run.broadcast_rate / unused, 3) if unused > 0 else 0.0
    return run


def show(runs: list[Run], title: str) -> None:
    print(title)
    head = f"{'':26}" + "".join(f"{r.mode:>12}" for r in runs)
    print(head)
    rows = [
        ("answer p50, s", lambda r: r.p50),
        ("answer p95, s", lambda r: r.p95),
        ("answer p99, s", lambda r: r.p99),
        ("answers lost", lambda r: r.lost),
        ("429 on answers", lambda r: r.refused_answers),
        ("429 on the broadcast", lambda r: r.refused_broadcast),
        ("429 on polls", lambda r: r.refused_polls),
        ("groups reached once", lambda r: f"{r.groups_once}/{r.groups}"),
        ("broadcast took, s", lambda r: r.broadcast_s),
        ("broadcast msgs/s", lambda r: r.broadcast_rate),
        ("people msgs/s meanwhile", lambda r: r.people_rate),
        ("share of unused budget", lambda r: r.share_of_unused),
    ]
    for label, get in rows:
        print(f"{label:26}" + "".join(f"{get(r)!s:>12}" for r in runs))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--storm-chats", type=int, default=300)
    parser.add_argument("--storm-people", type=int, default=20)
    parser.add_argument("--storm-rps", type=float, default=6.0)
    parser.add_argument("--grace", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    faq = FaqService(None)
    spread = [await one_run("today", args.chats, args.people, args.grace, faq)]
    with before():
        spread.append(await one_run("before", args.chats, args.people, args.grace, faq))
    storm_args = (args.storm_chats, args.storm_people, args.grace, faq)
    storm = [await one_run("today", *storm_args, rps=args.storm_rps, together=True)]
    with before():
        storm.append(await one_run("before", *storm_args, rps=args.storm_rps, together=True))
    if args.json:
        runs = {"spread": [asdict(r) for r in spread], "storm": [asdict(r) for r in storm]}
        print(json.dumps(runs, ensure_ascii=False, indent=2))
    else:
        show(spread, f"{args.chats}-group MAX broadcast, {args.people} parents at random moments"
                     f" (MAX: {MAX_RPS:g} req/s, 2/s per chat; MAX_RATE {RATE:g})")  # fmt: skip
        print()
        show(storm, f"429 storm: MAX takes {args.storm_rps:g} req/s; {args.storm_chats}-group "
                    f"broadcast, {args.storm_people} parents at once")  # fmt: skip
    ours = (spread[0], storm[0])
    ok = all(r.lost == 0 and r.groups_once == r.groups for r in ours)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
