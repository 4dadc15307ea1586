"""`python -m bot worker`: the background jobs without receiving updates.

Reminders and the broadcast worker, started by the same `register_jobs` as `python -m bot run`
(so the two can never drift apart), while the web instances run `run --no-jobs` and stay
light. The worker serves /healthz and /metrics on WEB_HOST:WEB_PORT: the broadcast and
reminder counters live in this process, not in the web instances.
"""

from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiohttp import web

from bot.app.factory import create_bot, register_jobs
from bot.app.ops import add_ops_routes
from bot.app.preflight import check_bot_token
from bot.app.runner import check_schema
from bot.app.web import until_signalled
from bot.core.clock import SystemClock
from bot.core.config import Settings
from storage.db import create_engine, create_sessionmaker

log = logging.getLogger(__name__)


async def run_worker(settings: Settings) -> None:
    bot = create_bot(settings)  # the jobs send messages
    engine = create_engine(settings.database_url)
    try:
        await check_bot_token(bot, settings)
        await check_schema(engine, settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        # a Dispatcher only to run the job hooks with aiogram's argument injection; it is
        # never fed an update
        dp = Dispatcher(settings=settings, sessionmaker=sessionmaker, clock=SystemClock())
        register_jobs(dp)
        ops = web.Application()
        add_ops_routes(ops, sessionmaker)
        runner = web.AppRunner(ops, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        workflow = {"dispatcher": dp, "bot": bot, **dp.workflow_data}
        await dp.emit_startup(**workflow)
        log.info(
            "worker mode: background jobs only, no updates; /healthz and /metrics on %s:%s",
            settings.web_host, runner.addresses[0][1],
        )  # fmt: skip
        try:
            await until_signalled()
        finally:
            log.info("worker stopping: jobs finish what they have in flight")
            await dp.emit_shutdown(**workflow)
            await runner.cleanup()
    finally:
        await bot.session.close()
        await engine.dispose()
