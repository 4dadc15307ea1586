"""The web server of long-polling mode: the staff panel (handlers/web) with /healthz and
/metrics on WEB_HOST:WEB_PORT, in the bot's own process (`make run`).

Webhook mode serves the same panel from its webhook server (bot/app/web.py). A port that is
taken does not stop the bot: answering parents matters more than the panel, so it is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from bot.app.ops import add_ops_routes
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Messenger
from bot.services.faq import FaqService
from bot.services.staff.roster import Roster
from handlers.web import add_panel
from storage.db import SessionMaker

log = logging.getLogger(__name__)


async def start_panel_server(
    settings: Settings,
    sessionmaker: SessionMaker,
    messenger: Messenger,
    clock: Clock,
    *,
    extra: Callable[[web.Application], None] | None = None,
    faq: FaqService | None = None,
    roster: Roster | None = None,
) -> web.AppRunner | None:
    """Listening runner (call .cleanup() to stop), or None when WEB_PANEL is off or the
    address is taken. `extra` adds routes that share the listener (MAX's webhook)."""
    if not settings.web_panel:
        return None
    app = web.Application()
    add_ops_routes(app, sessionmaker, redis_url=settings.redis_url)
    add_panel(app, settings, sessionmaker, messenger, clock, faq=faq, roster=roster)
    if extra is not None:
        extra(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    except OSError as exc:
        log.error(
            "web panel not started: %s:%s is unavailable (%s); set WEB_PORT or WEB_PANEL=false",
            settings.web_host, settings.web_port, exc,
        )  # fmt: skip
        await runner.cleanup()
        return None
    log.info("web panel on %s/web (listening on %s)", settings.panel_url, runner.addresses[0])
    return runner
