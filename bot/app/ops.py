"""`/healthz` for the load balancer and `/metrics` for Prometheus, on every HTTP role.

The webhook instances and the worker both serve them (the worker's counters — broadcasts,
reminders — live in the worker process). The health check is a `SELECT 1`: an instance that
cannot reach the database cannot handle an update either, so the balancer should skip it.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.core import metrics
from storage.db import SessionMaker

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 3.0  # seconds; a balancer typically waits 5
SESSIONMAKER = web.AppKey("sessionmaker", SessionMaker)


async def database_problem(sessionmaker: SessionMaker) -> str | None:
    """None when `SELECT 1` works, otherwise a short reason without credentials."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT), sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer in {HEALTH_TIMEOUT:g} s"
    except DBAPIError as exc:
        return _reason(exc.orig if exc.orig is not None else exc)
    except Exception as exc:  # the driver's own errors while connecting (refused, DNS…)
        return _reason(exc)
    return None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


async def healthz(request: web.Request) -> web.Response:
    problem = await database_problem(request.app[SESSIONMAKER])
    if problem is None:
        return web.json_response({"status": "ok", "database": "ok"})
    log.warning("health check failed: database: %s", problem)
    return web.json_response({"status": "error", "database": problem}, status=503)


def add_ops_routes(app: web.Application, sessionmaker: SessionMaker) -> None:
    app[SESSIONMAKER] = sessionmaker
    app.router.add_get("/healthz", healthz)
    # the library's handler: text or OpenMetrics as the scraper's Accept asks, gzip if accepted
    app.router.add_get("/metrics", make_aiohttp_handler(metrics.REGISTRY))
