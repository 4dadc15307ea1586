"""aiohttp's own error pages («404: Not Found», «500 Internal Server Error») in Russian: an
address the panel has not (a link cut short in a chat, an old bookmark) or a failure nobody
foresaw. Errors the panel raises with its own text pass through unchanged."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.texts import web as t

log = logging.getLogger(__name__)


def _default(exc: web.HTTPException) -> bool:
    return exc.text == f"{exc.status}: {exc.reason}"


@web.middleware
async def in_russian(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        if not _default(exc):
            raise
        raise web.HTTPNotFound(text=t.WEB_NO_PAGE) from None
    except web.HTTPMethodNotAllowed as exc:
        if not _default(exc):
            raise
        raise web.HTTPMethodNotAllowed(
            exc.method, exc.allowed_methods, text=t.WEB_NO_PAGE
        ) from None
    except web.HTTPException:
        raise
    except Exception:
        log.exception("panel request %s %s failed", request.method, request.path)
        return web.Response(status=500, text=t.WEB_FAILED)
