"""aiohttp's own error pages («404: Not Found», «500 Internal Server Error») in Russian: an
address the panel has not (a link cut short in a chat, an old bookmark) or a failure nobody
foresaw. Errors the panel raises with its own text keep that text; a browser gets it on a page
of the panel (its menu, a link onward), not as a bare line without a way back — on a phone
«/web/tickets» in plain text is no link. Scripts (fetch, Accept */*) still get the text."""

from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.texts import web as t
from handlers.web.context import STAFF

log = logging.getLogger(__name__)


def _default(exc: web.HTTPException) -> bool:
    return exc.text == f"{exc.status}: {exc.reason}"


@web.middleware
async def in_russian(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        if not _default(exc):
            return _page(request, exc)
        return _page(request, web.HTTPNotFound(text=t.WEB_NO_PAGE))
    except web.HTTPMethodNotAllowed as exc:
        if not _default(exc):
            return _page(request, exc)
        return _page(
            request, web.HTTPMethodNotAllowed(exc.method, exc.allowed_methods, text=t.WEB_NO_PAGE)
        )
    except web.HTTPException as exc:
        return _page(request, exc)
    except Exception:
        log.exception("panel request %s %s failed", request.method, request.path)
        return _page(request, web.Response(status=500, text=t.WEB_FAILED))


def _page(request: web.Request, error: web.Response) -> web.Response:
    """`error` as the panel's page when a browser navigates to it (it asks for HTML), else
    (a script's fetch, a redirect, a page of the panel's own) as it is."""
    if (
        error.status < 400
        or error.content_type != "text/plain"
        or "text/html" not in request.headers.get("Accept", "")
    ):
        if isinstance(error, web.HTTPException):
            raise error
        return error
    person = request.get(STAFF)
    context = {
        "heading": t.WEB_ERROR_HEADINGS.get(error.status, t.WEB_ERROR_HEADING),
        "message": error.text,
        "back": "/web/tickets" if person else "/web/signin",
        "back_label": t.WEB_ERROR_HOME if person else t.WEB_ERROR_SIGNIN,
    }
    if person is not None:  # the menu and «Выйти» (its form needs the token)
        context |= {"staff": person, "csrf": person.csrf}
    response = aiohttp_jinja2.render_template("error.html", request, context, status=error.status)
    for name in ("Allow", "Retry-After"):
        if name in error.headers:
            response.headers[name] = error.headers[name]
    return response
