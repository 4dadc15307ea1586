"""Runners: long polling, or webhook mode when WEBHOOK_URL is set. Both check the database,
build the app and stop gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiogram import Bot, Dispatcher
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.factory import Services, create_bot, create_dispatcher, load_staff_additions
from bot.app.jobs import Jobs
from bot.app.max_runtime import MaxRuntime
from bot.app.panel import start_panel_server
from bot.app.preflight import check_bot_token
from bot.app.web import MaxWebServer, add_max_webhook, until_signalled
from bot.core.config import Settings, SettingsError
from bot.services.faq import FaqService
from storage.db import create_engine, create_sessionmaker
from storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
    )
    logging.getLogger("aiogram.event").setLevel(max(logging.getLevelName(level), logging.INFO))


async def check_schema(engine: AsyncEngine, url: str) -> None:
    """Refuse to start on a database the code's migrations have not reached."""
    current, head = await current_revision(engine), head_revision(url)
    if current != head:
        raise SettingsError(
            f"База данных на миграции {current or 'нет'}, а коду нужна {head}. "
            "Выполните: python -m bot db upgrade"
        )


async def refuse_if_webhook_set(bot: Bot) -> None:
    """Telegram refuses getUpdates while a webhook is set; say so instead of retrying forever.

    Not deleted for the user: a polling run with the production token by mistake must not
    take a region's webhook down.
    """
    info = await bot.get_webhook_info()
    if info.url:
        raise SettingsError(
            f"У бота установлен webhook ({info.url}), поэтому Telegram не отдаёт апдейты "
            "через long polling. Задайте WEBHOOK_URL, чтобы работать через webhook, или снимите "
            "его: curl https://api.telegram.org/bot$BOT_TOKEN/deleteWebhook"
        )


def build_services(settings: Settings, engine: AsyncEngine) -> Services:
    """What every runner hands to the Dispatcher; /reload_faq re-checks the KB with these
    placeholders, so a broken edit never replaces the working knowledge base."""
    faq = FaqService(settings.faq_dir, settings.placeholders())
    unset = settings.unset_region_settings()
    if unset:
        log.warning(
            "region settings not set, FAQ answers leave these facts out: %s", ", ".join(unset)
        )
    return Services(settings, create_sessionmaker(engine), faq)


def max_runtime(services: Services, dp: Dispatcher | None = None) -> MaxRuntime | None:
    """The MAX channel when MAX_BOT_TOKEN is set, sharing the services and the Switchboard
    (and Telegram's per-person locks, when there is a Telegram dispatcher)."""
    if not services.settings.max_enabled:
        return None
    # Redis's locks only: without Redis the MAX dispatcher's own lock is this process's
    shared = dp is not None and services.settings.redis_url
    isolation = dp.fsm.events_isolation if shared and dp is not None else None
    return MaxRuntime(
        services.settings, services.sessionmaker, services.faq, services.querylog,
        services.clock, services.switchboard, roster=services.roster,
        stamps=services.stamps, isolation=isolation, room_notes=services.room_notes,
    )  # fmt: skip


async def start_max(runtime: MaxRuntime | None, *, own_server: bool) -> MaxWebServer | None:
    """Start MAX; in webhook mode without Telegram's server, with its own listener first."""
    if runtime is None:
        return None
    server = None
    if runtime.polling is None and own_server:
        server = MaxWebServer(runtime.settings, runtime.dispatcher.feed, runtime.sessionmaker)
        await server.start()
    await runtime.start()
    return server


async def stop_max(runtime: MaxRuntime | None, server: MaxWebServer | None) -> None:
    if server is not None:
        await server.stop()
    if runtime is not None:
        await runtime.stop()


async def start_panel(services: Services, runtime: MaxRuntime | None) -> web.AppRunner | None:
    """The staff panel with /healthz and /metrics; MAX's webhook shares its listener."""
    settings, max_hook = services.settings, None
    if runtime is not None and runtime.polling is None:  # MAX by webhook: one listener
        feed = runtime.dispatcher.feed
        max_hook = lambda app: add_max_webhook(app, settings, feed)  # noqa: E731
    return await start_panel_server(
        settings, services.sessionmaker, services.switchboard, services.clock,
        extra=max_hook, faq=services.faq, roster=services.roster,
    )  # fmt: skip


async def run_max_only(settings: Settings, *, jobs: bool = True) -> None:
    """BOT_TOKEN unset, MAX_BOT_TOKEN set: the bot in MAX alone, with the same background jobs
    and staff panel as a Telegram bot."""
    engine = create_engine(settings.database_url)
    runtime: MaxRuntime | None = None
    server: MaxWebServer | None = None
    panel: web.AppRunner | None = None
    background: Jobs | None = None
    services: Services | None = None
    try:
        await check_schema(engine, settings.database_url)
        services = build_services(settings, engine)
        runtime = max_runtime(services)
        await load_staff_additions(services.faq, services.sessionmaker)
        services.querylog.start()
        panel = await start_panel(services, runtime)
        server = await start_max(runtime, own_server=panel is None)
        if jobs:
            background = Jobs(
                settings, services.sessionmaker, services.clock, services.switchboard
            )
            await background.start()
            if runtime is not None and background.worker is not None:
                runtime.ctx.wake = background.worker.wake  # notices of staff changes in MAX
        log.info(
            "MAX only (BOT_TOKEN is not set), background jobs %s; %d FAQ entries",
            "on" if jobs else "off (--no-jobs)", len(services.faq.kb.entries),
        )  # fmt: skip
        await until_signalled()
        if background is not None:  # sends in flight finish while MAX is still there
            await background.stop()
            background = None
        await services.querylog.stop()
    finally:
        if background is not None:
            await background.stop()
        if panel is not None:
            await panel.cleanup()
        await stop_max(runtime, server)
        if services is not None:
            await services.close()
        await engine.dispose()


async def run_polling(settings: Settings, *, jobs: bool = True) -> None:
    bot = create_bot(settings)  # fails first and clearly when BOT_TOKEN is missing
    engine = create_engine(settings.database_url)
    runtime: MaxRuntime | None = None
    server: MaxWebServer | None = None
    try:
        await check_bot_token(bot, settings)
        await check_schema(engine, settings.database_url)
        services = build_services(settings, engine)
        dp = create_dispatcher(services, jobs=jobs)
        await refuse_if_webhook_set(bot)
        runtime = max_runtime(services, dp)
        panel = await start_panel(services, runtime)
        server = await start_max(runtime, own_server=panel is None)
        log.info(
            "long polling mode (WEBHOOK_URL is not set), background jobs %s; %d FAQ entries",
            "on" if jobs else "off (--no-jobs)", len(services.faq.kb.entries),
        )  # fmt: skip
        # start_polling installs SIGTERM/SIGINT handlers and finishes updates in flight.
        try:
            await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
        finally:
            if panel is not None:
                await panel.cleanup()
        await dp.storage.close()
    finally:
        await stop_max(runtime, server)
        await bot.session.close()
        await engine.dispose()


async def run_webhook(settings: Settings, *, jobs: bool = True) -> None:
    from bot.app.web import WebhookServer

    bot = create_bot(settings)
    engine = create_engine(settings.database_url)
    runtime: MaxRuntime | None = None
    try:
        await check_bot_token(bot, settings)
        await check_schema(engine, settings.database_url)
        services = build_services(settings, engine)
        dp = create_dispatcher(services, jobs=jobs)
        runtime = max_runtime(services, dp)
        feed = runtime.dispatcher.feed if runtime and runtime.polling is None else None
        server = WebhookServer(settings, dp, bot, services.sessionmaker, max_feed=feed)
        try:
            await server.start()
            await start_max(runtime, own_server=False)
            log.info(
                "webhook mode, background jobs %s; %d FAQ entries",
                "on" if jobs else "off (--no-jobs)", len(services.faq.kb.entries),
            )  # fmt: skip
            await until_signalled()
        finally:
            await server.stop()
    finally:
        await stop_max(runtime, None)
        await bot.session.close()
        await engine.dispose()


Runner = Callable[..., Coroutine[Any, Any, None]]


def has_telegram(settings: Settings) -> bool:
    token = settings.bot_token
    return token is not None and bool(token.get_secret_value().strip())


def pick_runner(settings: Settings) -> Runner:
    """Telegram (with MAX beside it when MAX_BOT_TOKEN is set), or MAX alone."""
    if not has_telegram(settings) and settings.max_enabled:
        return run_max_only
    if not has_telegram(settings):
        raise SettingsError(
            "BOT_TOKEN не задан (и MAX_BOT_TOKEN тоже). Скопируйте .env.example в .env и "
            "впишите токен от @BotFather или MAX_BOT_TOKEN — токен бота в MAX."
        )
    settings.require_token()  # a malformed BOT_TOKEN is named here
    return run_webhook if settings.webhook_url else run_polling
