"""Webhook mode: Telegram POSTs each update to an aiohttp server; any instance takes any update.

The same Dispatcher as long polling, behind aiogram's SimpleRequestHandler (refining how it
reads the body), which refuses a request without the right X-Telegram-Bot-Api-Secret-Token with
401. Choices worth knowing:

- handle_in_background=False: Telegram's request is answered when the handler is done, so
  aiohttp's graceful shutdown (stop listening, wait up to SHUTDOWN_TIMEOUT for requests in
  flight) finishes the updates in flight on SIGTERM.
- aiohttp fires on_shutdown before it waits for those requests, so the Bot session and the
  FSM storage close in on_cleanup, after them (aiogram's `handler.register` would close the
  session in on_shutdown, under the handlers' feet). Jobs do stop in on_shutdown; the FAQ log
  buffer is flushed again in on_cleanup for the updates that finished in between.
- A body that is not a JSON object gets 400, an object that is no valid Update 200 (dropped,
  counted in moc_updates_unparsable_total); neither is logged with its content.
- setWebhook once the socket listens; never deleteWebhook on stop: the other instances still
  serve, and Telegram keeps the updates while every instance is down.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.app.ops import add_ops_routes
from bot.core import incoming
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services.faq.querylog import QueryLog
from handlers.tg import bad_updates
from handlers.tg.messenger import TelegramMessenger
from handlers.web import add_panel
from storage.db import SessionMaker

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 25.0  # keep below systemd's TimeoutStopSec (40 s in the sample unit)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_SECRET_HEADER = "X-Max-Bot-Api-Secret"
SET_WEBHOOK_TRIES = 5
MaxFeed = Callable[[dict[str, Any]], Awaitable[bool]]


class _CarefulHandler(SimpleRequestHandler):
    """aiogram's handler parses the body where a bad one raises (HTTP 500, a traceback with
    input in the log). Here: not a JSON object → 400; an object that is no valid Update → 200
    and dropped (Telegram would resend it forever otherwise); neither is logged with its body."""

    async def handle(self, request: web.Request) -> web.Response:
        if not self._secret_matches(request.headers.get(SECRET_HEADER, "")):
            return web.Response(body="Unauthorized", status=401)
        body = await request.read()
        try:
            raw = incoming.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
            raw = None
        if not isinstance(raw, dict):
            log.warning("webhook: a %d-byte body is not a JSON object; answered 400", len(body))
            return web.Response(text="Bad Request", status=400)
        try:
            update = Update.model_validate(raw, context={"bot": self.bot})
        except ValidationError as exc:
            bad_updates.skipped(raw, "webhook", exc)
            return web.json_response({})
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            self.bot, update, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=self.bot, result=result))

    def _secret_matches(self, given: str) -> bool:
        """As bytes: aiogram's str comparison raises on a non-ASCII guess (500, a traceback)."""
        expected = (self.secret_token or "").encode()
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected)


class WebhookServer:
    """The webhook endpoint with /healthz and /metrics on WEB_HOST:WEB_PORT."""

    def __init__(
        self,
        settings: Settings,
        dp: Dispatcher,
        bot: Bot,
        sessionmaker: SessionMaker,
        *,
        max_feed: MaxFeed | None = None,
    ) -> None:
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        self.settings, self.dp, self.bot = settings, dp, bot
        self.url, self._secret = settings.webhook_url, settings.webhook_secret.get_secret_value()
        self.app = web.Application()
        handler = _CarefulHandler(dp, bot, handle_in_background=False, secret_token=self._secret)
        self.app.router.add_post(settings.webhook_path, handler.handle)
        add_ops_routes(self.app, sessionmaker, redis_url=settings.redis_url)
        if settings.web_panel:  # the staff panel under /web (handlers/web)
            clock = dp.workflow_data.get("clock") or SystemClock()
            # the Switchboard: an answer from the panel reaches a parent in Telegram or MAX
            messenger = dp.workflow_data.get("messenger") or TelegramMessenger(bot)
            faq = dp.workflow_data.get("faq")  # a save in the panel is served here at once
            roster = dp.workflow_data.get("roster")  # the bot's own: changes show at once
            add_panel(self.app, settings, sessionmaker, messenger, clock, faq=faq, roster=roster)
        if max_feed is not None:  # MAX in webhook mode too: one listener for both
            add_max_webhook(self.app, settings, max_feed)
        setup_application(self.app, dp, bot=bot)  # dp.startup/shutdown: commands, jobs
        self.app.on_cleanup.append(self._close)
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        self.port = 0
        self._running = False

    async def start(self) -> None:
        await self._runner.setup()
        self._running = True
        site = web.TCPSite(self._runner, self.settings.web_host, self.settings.web_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        await self._set_webhook()
        host, path = self.settings.web_host, self.settings.webhook_path
        log.info("webhook mode: listening on %s:%d%s for %s", host, self.port, path, self.url)

    async def _set_webhook(self) -> None:
        """Instances restarted together (a deploy) all call setWebhook at once, and Telegram
        answers the later ones 429 «retry after N»: they wait and try again, not crash."""
        for attempt in range(1, SET_WEBHOOK_TRIES + 1):
            try:
                await self.bot.set_webhook(
                    self.url,
                    secret_token=self._secret,
                    allowed_updates=self.dp.resolve_used_update_types(),
                    drop_pending_updates=False,
                )
                return
            except TelegramRetryAfter as exc:
                if attempt == SET_WEBHOOK_TRIES:
                    raise
                log.warning("setWebhook: Telegram asks to retry after %s s", exc.retry_after)
                await asyncio.sleep(min(exc.retry_after, 30))

    async def stop(self) -> None:
        """Stop listening, finish the updates in flight, then close everything."""
        if not self._running:
            return
        self._running = False
        log.info("stopping: finishing updates in flight (up to %.0f s)", SHUTDOWN_TIMEOUT)
        await self._runner.cleanup()

    async def _close(self, app: web.Application) -> None:
        # on_shutdown already flushed the FAQ log; the updates finished since then add rows
        querylog: QueryLog | None = self.dp.workflow_data.get("querylog")
        if querylog is not None:
            await querylog.flush()
        await self.dp.storage.close()
        await self.bot.session.close()


def max_webhook_path(settings: Settings) -> str:
    """The path MAX POSTs to, from MAX_WEBHOOK_URL (nginx passes it through unchanged)."""
    return urlsplit(settings.max_webhook_url or "").path or "/max"


def add_max_webhook(app: web.Application, settings: Settings, feed: MaxFeed) -> None:
    """MAX's updates: the secret from X-Max-Bot-Api-Secret must match MAX_WEBHOOK_SECRET
    (401 otherwise); the update is handled before the answer, like Telegram's. One that could
    not be claimed (the database is down) gets 503: MAX delivers it again later, instead of
    the person's message being lost."""
    assert settings.max_webhook_secret is not None
    secret = settings.max_webhook_secret.get_secret_value().encode()

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(MAX_SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return web.Response(text="Unauthorized", status=401)
        try:
            raw = incoming.loads(await request.read())
        except (ValueError, RecursionError):
            raw = None
        if not isinstance(raw, dict) or "update_type" not in raw:
            log.warning("MAX webhook: a body that is no update; answered 400")
            return web.Response(text="Bad Request", status=400)
        if not await feed(raw):
            return web.Response(text="Service Unavailable", status=503)
        return web.json_response({})

    app.router.add_post(max_webhook_path(settings), handle)


class MaxWebServer:
    """MAX's webhook with /healthz and /metrics on WEB_HOST:WEB_PORT, when Telegram does not
    run a webhook server in this process (MAX only, or Telegram by long polling)."""

    def __init__(self, settings: Settings, feed: MaxFeed, sessionmaker: SessionMaker) -> None:
        self.settings = settings
        self.app = web.Application()
        add_max_webhook(self.app, settings, feed)
        add_ops_routes(self.app, sessionmaker, redis_url=settings.redis_url)
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        self.port = 0

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.web_host, self.settings.web_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("MAX webhook: listening on port %d%s", self.port, max_webhook_path(self.settings))

    async def stop(self) -> None:
        await self._runner.cleanup()


async def until_signalled() -> None:
    """Return on SIGTERM (systemd stop) or SIGINT (Ctrl+C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
