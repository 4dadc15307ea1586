"""Long-polling runner: checks the database, builds the app, stops gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import logging

from bot.app import Services, create_bot, create_dispatcher
from bot.config import Settings, SettingsError
from bot.faq import FaqService
from storage.db import create_engine, create_sessionmaker
from storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
    )
    logging.getLogger("aiogram.event").setLevel(max(logging.getLevelName(level), logging.INFO))


async def run_polling(settings: Settings) -> None:
    bot = create_bot(settings)  # fails first and clearly when BOT_TOKEN is missing
    engine = create_engine(settings.database_url)
    try:
        current, head = await current_revision(engine), head_revision(settings.database_url)
        if current != head:
            raise SettingsError(
                f"The database is at migration {current or 'none'}, the code needs {head}. "
                "Run: python -m bot db upgrade"
            )
        services = Services(settings, create_sessionmaker(engine), FaqService(settings.faq_dir))
        dp = create_dispatcher(services)
        log.info("starting long polling; %d FAQ entries", len(services.faq.kb.entries))
        # start_polling installs SIGTERM/SIGINT handlers and finishes updates in flight.
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
        await dp.storage.close()
    finally:
        await bot.session.close()
        await engine.dispose()
