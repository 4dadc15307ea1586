"""`python -m bot worker`: the background jobs without receiving updates.

Reminders and the broadcast worker, started by the same `Jobs` as `python -m bot run` (so the
two can never drift apart), while the web instances run `run --no-jobs` and stay light. The
worker serves /healthz and /metrics on WEB_HOST:WEB_PORT: the broadcast and reminder counters
live in this process, not in the web instances. Without BOT_TOKEN but with MAX_BOT_TOKEN it is
the worker of a MAX-only bot.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiohttp import web

from bot.app.factory import create_bot
from bot.app.jobs import Jobs
from bot.app.ops import add_ops_routes
from bot.app.preflight import check_bot_token
from bot.app.runner import check_schema, has_telegram
from bot.app.web import until_signalled
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.messages import Switchboard
from storage.db import create_engine, create_sessionmaker

log = logging.getLogger(__name__)


async def run_worker(settings: Settings) -> None:
    # the jobs send messages; create_bot names a missing BOT_TOKEN when MAX is not set either
    bot: Bot | None = None
    if has_telegram(settings) or not settings.max_enabled:
        bot = create_bot(settings)
    engine = create_engine(settings.database_url)
    try:
        if bot is not None:
            await check_bot_token(bot, settings)
        await check_schema(engine, settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        jobs = Jobs(settings, sessionmaker, SystemClock(), Switchboard({}), bot=bot)
        ops = web.Application()
        add_ops_routes(ops, sessionmaker)
        runner = web.AppRunner(ops, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        await jobs.start()
        log.info(
            "worker mode: background jobs only, no updates; /healthz and /metrics on %s:%s",
            settings.web_host, runner.addresses[0][1],
        )  # fmt: skip
        try:
            await until_signalled()
        finally:
            log.info("worker stopping: jobs finish what they have in flight")
            await jobs.stop()
            await runner.cleanup()
    finally:
        if bot is not None:
            await bot.session.close()
        await engine.dispose()
