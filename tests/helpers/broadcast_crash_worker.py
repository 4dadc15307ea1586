"""One broadcast worker process, for the crash test (tests/test_broadcast_crash.py).

The test SIGKILLs the first of these mid-broadcast and starts a second: that must resume the
ledger and leave no chat without the message. Runs the production worker against the fake Bot
API served by the test process; `--until-done` exits once no broadcast is scheduled or sending.

    python tests/helpers/broadcast_crash_worker.py --db URL --api URL --instance ID [--until-done]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.core.clock import SystemClock  # noqa: E402
from broadcasts.worker import BroadcastWorker  # noqa: E402
from handlers.tg.broadcast_channel import TelegramChannel  # noqa: E402
from storage.db import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from storage.models import Broadcast, BroadcastState  # noqa: E402

TOKEN = "123456:TEST-TOKEN"


async def unfinished(sm: SessionMaker) -> int:
    async with sm() as session:
        open_states = (BroadcastState.SCHEDULED, BroadcastState.SENDING)
        found = await session.scalar(
            select(func.count(Broadcast.id)).where(Broadcast.state.in_(open_states))
        )
    return int(found or 0)


async def main(args: argparse.Namespace) -> None:
    engine = create_engine(args.db)
    sm = create_sessionmaker(engine)
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(args.api)))
    worker = BroadcastWorker(
        sm, TelegramChannel(bot), SystemClock(), instance_id=args.instance, rate=args.rate,
        concurrency=args.concurrency, lease_seconds=args.lease, poll_seconds=0.2,
    )  # fmt: skip
    try:
        if not args.until_done:
            await worker.run_forever()
        while await unfinished(sm):
            await worker.run_once()
            await asyncio.sleep(0.2)
    finally:
        await bot.session.close()
        await engine.dispose()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--rate", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lease", type=int, default=2)
    parser.add_argument("--until-done", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
