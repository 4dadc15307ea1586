"""The process roles beside `python -m bot run`: `worker` (background jobs) and `web` (the
staff panel alone).

`python -m bot worker`: the background jobs without receiving updates. Reminders and the
broadcast worker, started by the same `Jobs` as `python -m bot run` (so the two can never drift
apart), while the web instances run `run --no-jobs` and stay light. The worker serves /healthz
and /metrics on WEB_HOST:WEB_PORT: the broadcast and reminder counters live in this process,
not in the web instances. Without BOT_TOKEN but with MAX_BOT_TOKEN it is the worker of a
MAX-only bot.

`python -m bot web`: the staff panel (with /healthz and /metrics) and nothing else, for a
panel instance of its own behind nginx: no updates, no jobs. It sends what the panel sends in
the bot's process (a ticket answer, a notice to someone moved up from the waiting list, the
staff menus of someone removed) through the same messengers, built here from BOT_TOKEN and/or
MAX_BOT_TOKEN. WEB_SECRET is required: the links it checks are signed by the bot instances.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiohttp import web

from bot.app.factory import create_bot
from bot.app.jobs import Jobs
from bot.app.max_runtime import CHECK_TIMEOUT, check_max_token
from bot.app.ops import add_ops_routes
from bot.app.preflight import check_bot_token
from bot.app.runner import check_schema, has_telegram
from bot.app.web import SHUTDOWN_TIMEOUT, until_signalled
from bot.core.clock import SystemClock
from bot.core.config import Settings, SettingsError
from bot.core.messages import Switchboard
from bot.services.outbox import Outbox
from bot.services.staff.roster import Roster
from handlers.max.client import MaxClient
from handlers.max.messenger import MaxMessenger
from handlers.max.shared_pace import max_pacer
from handlers.tg import staff_menu
from handlers.tg.messenger import TelegramMessenger
from handlers.tg.outbound import keep_waiting
from handlers.tg.outbound import of as outbound_of
from handlers.web import add_panel
from storage.db import SessionMaker, create_engine, create_sessionmaker

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
        if settings.max_enabled:  # the jobs would fail on every send, each only in the log
            await _check_max(settings)
        await check_schema(engine, settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        jobs = Jobs(settings, sessionmaker, SystemClock(), Switchboard({}), bot=bot)
        ops = web.Application()
        add_ops_routes(ops, sessionmaker, redis_url=settings.redis_url)
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


async def _check_max(settings: Settings) -> None:
    """A refused MAX_BOT_TOKEN or an unreachable MAX_API_URL, named before the jobs start."""
    assert settings.max_bot_token is not None
    token = settings.max_bot_token.get_secret_value().strip()
    client = MaxClient(token, base_url=settings.max_api_url, timeout=CHECK_TIMEOUT)
    try:
        await check_max_token(client, settings)
    finally:
        await client.close()


def check_web_settings(settings: Settings) -> None:
    """What `python -m bot web` cannot start without, each named in one Russian line."""
    if not has_telegram(settings) and not settings.max_enabled:
        raise SettingsError(
            "BOT_TOKEN не задан (и MAX_BOT_TOKEN тоже): панели нужен токен бота, чтобы "
            "отправлять ответы на обращения и уведомления. Впишите в .env тот же BOT_TOKEN "
            "и/или MAX_BOT_TOKEN, что у экземпляров бота."
        )
    if has_telegram(settings):
        settings.require_token()  # a malformed BOT_TOKEN is named here
    secret = settings.web_secret
    if secret is None or not secret.get_secret_value().strip():
        raise SettingsError(
            "WEB_SECRET не задан: отдельная панель проверяет ссылки для входа, подписанные "
            "экземплярами бота, — впишите в .env тот же WEB_SECRET, что у них."
        )


async def run_web(settings: Settings) -> None:
    """The staff panel alone, until SIGTERM/SIGINT; requests in flight finish first."""
    check_web_settings(settings)
    bot = create_bot(settings) if has_telegram(settings) else None
    max_client = None
    if settings.max_enabled:
        assert settings.max_bot_token is not None
        token = settings.max_bot_token.get_secret_value().strip()
        max_client = MaxClient(token, base_url=settings.max_api_url, timeout=CHECK_TIMEOUT)
    engine = create_engine(settings.database_url)
    try:
        await check_schema(engine, settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        roster = Roster(settings, sessionmaker)
        switchboard = await _messengers(settings, sessionmaker, roster, bot, max_client)
        app = web.Application()
        add_ops_routes(app, sessionmaker, redis_url=settings.redis_url)
        add_panel(app, settings, sessionmaker, switchboard, SystemClock(), roster=roster)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        except OSError as exc:
            await runner.cleanup()
            raise SettingsError(
                f"WEB_HOST:WEB_PORT ({settings.web_host}:{settings.web_port}) недоступен: "
                f"{exc.strerror or exc}. Задайте другой WEB_PORT."
            ) from exc
        log.info(
            "web mode: the staff panel only, no updates, no jobs; %s/web (listening on %s:%s)",
            settings.panel_url, settings.web_host, runner.addresses[0][1],
        )  # fmt: skip
        try:
            await until_signalled()
        finally:
            await _keep_waiting(switchboard, bot)  # before cleanup cancels the requests
            await runner.cleanup()
    finally:
        if bot is not None:
            await bot.session.close()
        if max_client is not None:
            await max_client.close()
        await engine.dispose()


async def _messengers(
    settings: Settings,
    sessionmaker: SessionMaker,
    roster: Roster,
    bot: Bot | None,
    max_client: MaxClient | None,
) -> Switchboard:
    """The Switchboard the panel writes through, as in the bot's process (tokens checked
    first); invite links start at each bot's own address."""
    switchboard = Switchboard({})
    if bot is not None:
        await check_bot_token(bot, settings)
        me = await bot.me()
        if me.username:
            roster.deep_links["tg"] = f"https://t.me/{me.username}"
        switchboard.messengers["tg"] = TelegramMessenger(bot)
        if (outbound := outbound_of(bot)) is not None:  # a staff answer is never lost
            outbound.outbox = Outbox(sessionmaker)
        staff_menu.follow_changes(bot, settings, roster)
    if max_client is not None:
        found = await check_max_token(max_client, settings)
        if found.get("username"):
            roster.deep_links["max"] = f"https://max.ru/{found['username']}"
        pacer = max_pacer(settings)
        messenger = MaxMessenger(
            max_client, sessionmaker, pacer, give_up=settings.outbound_give_up_seconds
        )
        messenger.outbox = Outbox(sessionmaker)
        switchboard.messengers["max"] = messenger
    return switchboard


async def _keep_waiting(switchboard: Switchboard, bot: Bot | None) -> None:
    """Replies to people the panel is still waiting to send go to the outbox (the bot's or
    worker's jobs loop sends them)."""
    if bot is not None:
        await keep_waiting(bot)
    messenger = switchboard.messengers.get("max")
    if isinstance(messenger, MaxMessenger):
        await messenger.keep_waiting()
