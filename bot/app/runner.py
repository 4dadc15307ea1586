"""Runners: long polling, or webhook mode when WEBHOOK_URL is set. Both check the database,
build the app and stop gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import logging

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.factory import Services, create_bot, create_dispatcher
from bot.app.panel import start_panel_server
from bot.app.preflight import check_bot_token
from bot.core.config import Settings, SettingsError
from bot.services.faq import FaqService
from handlers.tg.messenger import TelegramMessenger
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


async def run_polling(settings: Settings, *, jobs: bool = True) -> None:
    bot = create_bot(settings)  # fails first and clearly when BOT_TOKEN is missing
    engine = create_engine(settings.database_url)
    try:
        await check_bot_token(bot, settings)
        await check_schema(engine, settings.database_url)
        services = build_services(settings, engine)
        dp = create_dispatcher(services, jobs=jobs)
        await refuse_if_webhook_set(bot)
        panel = await start_panel_server(
            settings, services.sessionmaker, TelegramMessenger(bot), services.clock
        )
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
        await bot.session.close()
        await engine.dispose()


async def run_webhook(settings: Settings, *, jobs: bool = True) -> None:
    from bot.app.web import WebhookServer, until_signalled

    bot = create_bot(settings)
    engine = create_engine(settings.database_url)
    try:
        await check_bot_token(bot, settings)
        await check_schema(engine, settings.database_url)
        services = build_services(settings, engine)
        dp = create_dispatcher(services, jobs=jobs)
        server = WebhookServer(settings, dp, bot, services.sessionmaker)
        try:
            await server.start()
            log.info(
                "webhook mode, background jobs %s; %d FAQ entries",
                "on" if jobs else "off (--no-jobs)", len(services.faq.kb.entries),
            )  # fmt: skip
            await until_signalled()
        finally:
            await server.stop()
    finally:
        await bot.session.close()
        await engine.dispose()
