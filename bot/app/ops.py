"""`/healthz` for the load balancer and `/metrics` for Prometheus, on every HTTP role.

The webhook instances and the worker both serve them (the worker's counters — broadcasts,
reminders — live in the worker process). The health check is a `SELECT 1`: an instance that
cannot reach the database cannot handle an update either, so the balancer should skip it.
With REDIS_URL it also pings Redis and says what it found, but a lost Redis is «degraded»
with 200, not 503: every instance shares that Redis, so 503 would take them all out of the
balancer, while without Redis they still answer (only dialogs are not remembered).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.core import metrics
from storage.db import SessionMaker

if TYPE_CHECKING:  # redis is an optional dependency (REDIS_URL)
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 3.0  # seconds; a balancer typically waits 5
SESSIONMAKER = web.AppKey("sessionmaker", SessionMaker)
REDIS: web.AppKey[Redis] = web.AppKey("redis")


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


async def redis_problem(client: Redis) -> str | None:
    """None when Redis answers PING, otherwise a short reason (redis-py names no password)."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await client.ping()
    except TimeoutError:
        return f"no answer in {HEALTH_TIMEOUT:g} s"
    except Exception as exc:  # refused, reset, a wrong password…
        return _reason(exc)
    return None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


async def healthz(request: web.Request) -> web.Response:
    problem = await database_problem(request.app[SESSIONMAKER])
    body = {"status": "ok", "database": problem or "ok"}
    if (client := request.app.get(REDIS)) is not None:
        lost = await redis_problem(client)
        body["redis"] = lost or "ok"
        if lost is not None:
            log.warning("health check: redis: %s", lost)
            body["status"] = "degraded"
    if problem is None:
        return web.json_response(body)
    log.warning("health check failed: database: %s", problem)
    return web.json_response(body | {"status": "error"}, status=503)


def add_ops_routes(
    app: web.Application, sessionmaker: SessionMaker, *, redis_url: str | None = None
) -> None:
    """`redis_url`: the REDIS_URL the instance shares dialogs and the send budget through."""
    app[SESSIONMAKER] = sessionmaker
    if redis_url:
        from redis.asyncio import Redis

        from bot.core.redis_breaker import SOCKET_TIMEOUT

        client = Redis.from_url(
            redis_url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
        )
        app[REDIS] = client

        async def close(_: web.Application) -> None:
            await client.aclose()

        app.on_cleanup.append(close)
    app.router.add_get("/healthz", healthz)
    # the library's handler: text or OpenMetrics as the scraper's Accept asks, gzip if accepted
    app.router.add_get("/metrics", make_aiohttp_handler(metrics.REGISTRY))
