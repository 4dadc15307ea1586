"""Updates/s and latency of a typed FAQ question through the whole Dispatcher, vs an echo bot.

Our bot (middlewares, DB session, user row, FSM read, matcher, FAQ log commit, answer) and a
bare aiogram echo bot get the same Update objects, mounted on one Bot with a RecordingSession
(no network), on a temporary migrated SQLite file; users exist and have chosen a role.

    python bench/updates.py [--updates 2000] [--users 200] [--concurrency 50] [--json]

Exit status 1 when the target (ours <= 2x the echo bot's mean cost per update) is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import aiosqlite  # noqa: E402
from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.types import Message, Update  # noqa: E402
from faq_bench_lib import load_questions  # noqa: E402  (a sibling module)

from bot import texts  # noqa: E402
from bot.app.factory import Services, create_bot, create_dispatcher  # noqa: E402
from bot.services.faq import FaqService  # noqa: E402
from bot.services.faq.consult import AUDIENCE_OF_ROLE  # noqa: E402
from handlers.tg.callbacks import RoleCb  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repositories import Repositories  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakes.recording import RecordingSession  # noqa: E402

TARGET_RATIO = 2.0
ROLES = ("parent", "teacher", "director")


def _update(uid: int, user_id: int, bot: Bot, text: str | None = None, cb: str = "") -> Update:
    person = {"id": user_id, "is_bot": False, "first_name": f"Мария{user_id}"}
    chat = {"id": user_id, "type": "private", "first_name": person["first_name"]}
    msg = {"message_id": uid, "date": int(time.time()), "chat": chat, "from": person}
    raw: dict[str, Any] = {"update_id": uid, "message": {**msg, "text": text}}
    if cb:  # a tap on the role keyboard under the bot's welcome message
        query = {"id": str(uid), "from": person, "chat_instance": "1", "data": cb}
        raw = {"update_id": uid, "callback_query": {**query, "message": msg}}
    # Mounted on the bot as polling does: an unmounted Update costs a JSON round trip.
    return Update.model_validate(raw, context={"bot": bot})


def echo_dispatcher() -> Dispatcher:
    router, dp = Router(), Dispatcher()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp.include_router(router)
    return dp


async def sequential(dp: Dispatcher, bot: Bot, updates: list[Update]) -> dict[str, float]:
    latencies = []
    cpu, start = time.process_time(), time.perf_counter()  # CPU of all threads (aiosqlite too)
    for update in updates:
        t0 = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append(time.perf_counter() - t0)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    ms = sorted(x * 1000 for x in latencies)
    return {
        "updates_per_s": len(ms) / wall,
        "mean_ms": statistics.fmean(ms),
        "p50_ms": ms[len(ms) // 2],
        "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        "cpu_ms": cpu * 1000 / len(ms),
    }


async def concurrent(dp: Dispatcher, bot: Bot, updates: list[Update], width: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(updates), width):
        await asyncio.gather(*(dp.feed_update(bot, u) for u in updates[i : i + width]))
    return len(updates) / (time.perf_counter() - start)


class Probe:
    """Times, inside the real run, what an update waits for: SQLite calls (each a round trip to
    aiosqlite's thread) and sync callbacks, which aiogram runs via asyncio.to_thread (bare
    `F...` and `State` filters are sync)."""

    def __init__(self) -> None:
        self.reset()
        sql = aiosqlite.Connection._execute
        aiosqlite.Connection._execute = self._timed("sql", sql)  # type: ignore[method-assign]
        asyncio.to_thread = self._timed("threads", asyncio.to_thread)

    def reset(self) -> None:
        self.calls, self.seconds = {"sql": 0, "threads": 0}, {"sql": 0.0, "threads": 0.0}

    def _timed(self, key: str, fn: Any) -> Any:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            result = await fn(*args, **kwargs)
            self.calls[key] += 1
            self.seconds[key] += time.perf_counter() - t0
            return result

        return timed


async def run(n: int, users: int, width: int, db_url: str) -> dict[str, Any]:
    settings = make_settings(
        Path("unused"), database_url=db_url, throttle_rate=1e9, throttle_burst=10**9
    )
    sessionmaker = create_sessionmaker(engine := create_engine(db_url))
    faq = FaqService(None)
    session = RecordingSession(max_requests=4 * n)
    bot = create_bot(settings, session=session)
    services = Services(settings, sessionmaker, faq)
    ours, echo = create_dispatcher(services), echo_dispatcher()
    uids = iter(range(1, 10**9))  # Telegram never repeats an update_id; the bot skips repeats
    ids = [500_000 + i for i in range(users)]
    role = {uid: ROLES[i % len(ROLES)] for i, uid in enumerate(ids)}
    for uid in ids:  # warm-up: /start, then a tap on a role button
        for text, tap in (("/start", ""), (None, RoleCb(role=role[uid]).pack())):
            await ours.feed_update(bot, _update(next(uids), uid, bot, text, tap))
    async with sessionmaker() as s:
        with_role = await Repositories(s).users.count_by_role()
    labelled = load_questions(HERE / "faq_questions.yaml")
    questions = [q.q for q in labelled if q.expect in faq.kb.entries]
    for q in questions:  # steady state: lemma and typo caches warm, as in a running bot
        faq.matcher.search(q)
    asked = [(ids[i % users], questions[i % len(questions)]) for i in range(n)]

    def batch(items: list[tuple[int, str]]) -> list[Update]:  # the same lists for both bots
        return [_update(next(uids), uid, bot, text) for uid, text in items]

    warm, measured, in_flight = batch(asked[:100]), batch(asked), batch(asked)
    for dp in (ours, echo):  # warm aiogram's and SQLAlchemy's code paths, off the clock
        await sequential(dp, bot, warm)
    since, probe = datetime.now(UTC), Probe()
    result: dict[str, Any] = {"users_with_role": sum(v for k, v in with_role.items() if k)}
    for name, dp in (("echo", echo), ("ours", ours)):  # echo first: not in our garbage's way
        session.requests.clear()
        session.counts.clear()
        gc.collect()
        probe.reset()
        stats = await sequential(dp, bot, measured)
        stats |= {f"{k}_ms": v * 1000 / n for k, v in probe.seconds.items()}
        stats |= {f"{k}_calls": v / n for k, v in probe.calls.items()}
        errors = sum(1 for m in session.sent() if getattr(m, "text", "") == texts.ERROR)
        stats.update(sent=session.counts["sendMessage"], error_replies=errors)
        session.counts.clear()
        stats["concurrent_updates_per_s"] = await concurrent(dp, bot, in_flight, width)
        result[name] = {**stats, "concurrent_sent": session.counts["sendMessage"]}
    await services.querylog.flush()  # answered questions are logged in batches
    async with sessionmaker() as s:
        result["faq_log"] = await Repositories(s).faq_log.outcomes_since(since)
    start = time.perf_counter()
    for uid, text in asked:  # the matcher alone, same questions and audiences
        faq.matcher.search(text, audience=AUDIENCE_OF_ROLE.get(role[uid]))
    result["matcher_ms"] = (time.perf_counter() - start) * 1000 / n
    await ours.storage.close()
    await engine.dispose()
    return result


def _report(r: dict[str, Any], n: int, users: int, width: int) -> None:
    ours, echo = r["ours"], r["echo"]
    print(f"Dispatcher bench: {n} questions, {users} users ({r['users_with_role']} with a role)")
    print(f"  {'metric':<30}{'moc-bot':>10}{'echo bot':>10}")
    rows = {"updates_per_s": "updates/s (sequential)", "p50_ms": "p50 ms", "p99_ms": "p99 ms"}
    rows |= {"mean_ms": "mean ms", "cpu_ms": "CPU ms per update (all threads)"}
    rows |= {"concurrent_updates_per_s": f"updates/s ({width} in flight)"}
    for key, label in rows.items():
        print(f"  {label:<30}{ours[key]:>10.2f}{echo[key]:>10.2f}")
    counts = {"sent": "sendMessage (sequential)", "concurrent_sent": "sendMessage (concurrent)"}
    for key, label in (counts | {"error_replies": "error replies"}).items():
        print(f"  {label:<30}{ours[key]:>10}{echo[key]:>10}")
    print(f"  FAQ log rows by outcome (both passes): {r['faq_log']}")
    sql, threads = ours["sql_ms"], ours["threads_ms"]
    rest = ours["mean_ms"] - echo["mean_ms"] - r["matcher_ms"] - sql - threads
    print("\nWhere a typed question's time goes (mean ms per update, sequential):")
    for label, value in (
        ("aiogram + session (the echo bot's cost)", echo["mean_ms"]),
        ("FAQ matcher alone", r["matcher_ms"]),
        (f"waiting on SQLite, {ours['sql_calls']:.0f} calls", sql),
        (f"sync filters in threads, {ours['threads_calls']:.0f} calls", threads),
        ("rest: ORM, keyboards, middlewares...", rest),
    ):
        print(f"  {label:<40}{value:>8.3f}  {value / ours['mean_ms']:>5.0%}")
    verdict = "PASS" if r["pass"] else "FAIL"
    print(f"\nTargets:\n  {verdict}  mean cost per update {r['ratio']:.2f}x the echo bot's")
    print(f"        (target <= {TARGET_RATIO:.0f}x); every update answered: {r['answered']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50, help="updates in flight")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)  # sync Alembic, before the event loop starts
        r = asyncio.run(run(args.updates, args.users, args.concurrency, url))
    sent = [r[b][k] for b in ("ours", "echo") for k in ("sent", "concurrent_sent")]
    r["answered"] = all(s == args.updates for s in sent) and not r["ours"]["error_replies"]
    r["ratio"] = r["ours"]["mean_ms"] / r["echo"]["mean_ms"]
    r["pass"] = r["answered"] and r["ratio"] <= TARGET_RATIO
    if args.json:
        print(json.dumps({**r, "target_ratio": TARGET_RATIO}, ensure_ascii=False, indent=2))
    else:
        _report(r, args.updates, args.users, args.concurrency)
    return 0 if r["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
