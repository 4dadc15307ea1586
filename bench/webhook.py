"""Typed FAQ questions POSTed to the webhook endpoint over real HTTP, on SQLite and PostgreSQL.

What a regional deployment sees per instance: aiohttp, the secret check, duplicate detection,
the whole Dispatcher and the database, with the Bot API replaced by a recording session (no
network to Telegram). Prints updates/s and latency per backend; PostgreSQL runs in a throwaway
database when --pg-url (or $PG_URL, as `bash .ci/run` sets it) is given.

    python bench/webhook.py [--updates 1000] [--in-flight 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import aiohttp  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.app.factory import Services, create_bot, create_dispatcher  # noqa: E402
from bot.app.web import WebhookServer  # noqa: E402
from bot.services.faq import FaqService  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repositories import Repositories  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakes.recording import RecordingSession  # noqa: E402

QUESTIONS = [
    "как активировать сертификат", "забыла пароль от навигатора", "какие документы нужны",
    "как записаться в кружок", "сколько денег осталось на сертификате", "телефон моц",
]  # fmt: skip
SECRET = "bench-secret"
USERS = 100


def update(update_id: int, user_id: int, text_: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": int(time.time()), "text": text_,
            "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
            "from": user,
        },
    }  # fmt: skip


async def seed(url: str) -> None:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        repo = Repositories(session)
        for uid in range(1, USERS + 1):
            await repo.users.touch(uid, f"U{uid}", None, None)
            await repo.users.set_role(uid, "parent")
        await repo.commit()
    await engine.dispose()


async def measure(url: str, n: int, in_flight: int) -> dict[str, float]:
    await seed(url)
    settings = make_settings(
        Path("unused.db"), database_url=url, webhook_url="http://127.0.0.1/telegram",
        webhook_secret=SECRET, telegram_api_url="http://127.0.0.1:9", web_port=0,
        throttle_rate=1000.0, throttle_burst=1000,
    )  # fmt: skip
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    dp = create_dispatcher(Services(settings, sessionmaker, FaqService(None)), jobs=False)
    server = WebhookServer(settings, dp, create_bot(settings, RecordingSession()), sessionmaker)
    await server.start()
    endpoint = f"http://127.0.0.1:{server.port}/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    latencies: list[float] = []
    async with aiohttp.ClientSession(headers=headers) as http:

        async def post(i: int) -> None:
            body = update(10_000_000 + i, i % USERS + 1, QUESTIONS[i % len(QUESTIONS)])
            started = time.perf_counter()
            async with http.post(endpoint, json=body) as response:
                assert response.status == 200, response.status
            latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(n):
            await post(i)
        sequential = n / (time.perf_counter() - started)
        started = time.perf_counter()
        for batch in range(0, n, in_flight):
            await asyncio.gather(*(post(n + i) for i in range(batch, min(batch + in_flight, n))))
        concurrent = n / (time.perf_counter() - started)
    await server.stop()
    await engine.dispose()
    ordered = sorted(latencies[:n])
    return {
        "updates_per_s": round(sequential, 1),
        "updates_per_s_in_flight": round(concurrent, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


async def on_postgres(admin_url: str, n: int, in_flight: int) -> dict[str, float]:
    name = f"bench_webhook_{os.getpid()}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        return await measure(url, n, in_flight)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=20)
    parser.add_argument("--pg-url", default=os.environ.get("PG_URL", ""))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        results["sqlite"] = asyncio.run(measure(url, args.updates, args.in_flight))
    if args.pg_url:
        results["postgresql"] = asyncio.run(on_postgres(args.pg_url, args.updates, args.in_flight))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"webhook bench: {args.updates} typed questions over HTTP, {args.in_flight} in flight")
    print(f"  {'backend':12}{'updates/s':>12}{'in flight/s':>14}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in results.items():
        print(
            f"  {name:12}{r['updates_per_s']:>12}{r['updates_per_s_in_flight']:>14}"
            f"{r['p50_ms']:>9}{r['p99_ms']:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
