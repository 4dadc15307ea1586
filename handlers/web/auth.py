"""Sign-in, sign-out and the guard every panel request passes.

The guard opens one database unit of work per request, finds the session behind the cookie
(staff role checked again: services.staff.web_sessions.current) and checks the CSRF token of
every POST. Without a session a page redirects to «войдите через /web»; a POST gets 403.

Two cookies, one kind of session: a link's is SameSite=Strict; a Mini App's (handlers/web/
webapp.py) is SameSite=None; Secure; Partitioned, because Telegram Web shows the Mini App in a
frame of its own site, where a Strict cookie is never sent. With that cookie SameSite stops no
forged POST: the CSRF token does (every POST, both cookies), and frame-ancestors lets only
WEB_FRAME_ANCESTORS frame the panel (no clickjacking by another site).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot.services.staff import web_sessions
from bot.texts import web as t
from handlers.web import broadcast_upload as upload
from handlers.web.context import (
    APP_COOKIE,
    CLOCK,
    COOKIE,
    REPO,
    ROSTER,
    SESSIONMAKER,
    SETTINGS,
    STAFF,
    repo,
)
from storage.repositories import Repositories

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Posted = MultiDictProxy[str | bytes | bytearray | web.FileField]
HIDDEN_FIELDS = {"csrf", "draft", "base", "seen", "entry_id", "file_ref", "action"}
# picked from a list or ticked, not typed: nothing to copy back (and their values are English)
CHOSEN_FIELDS = {
    "kind", "format", "audience", "when", "private", "ack", "weekly", "drop_file", "sure",
    "dry_run", "att", "id", "person", "channel", "active", "category",
}  # fmt: skip
OPEN_PATHS = ("/web/login", "/web/signin", "/web/static/", "/web/webapp")
# forms that carry a file larger than aiohttp's 1 MB default (the broadcast attachment)
LARGE_FORMS = {"/web/broadcasts": upload.BODY_MAX, "/web/broadcasts/preview": upload.BODY_MAX}


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    app = request.app
    if request.method == "POST" and (limit := LARGE_FORMS.get(request.path)):
        request = request.clone(client_max_size=limit)
    async with app[SESSIONMAKER]() as session:
        request[REPO] = Repositories(session)
        if request.path.startswith(OPEN_PATHS):
            return await handler(request)
        cookie = request.cookies.get(COOKIE) or request.cookies.get(APP_COOKIE)
        person = await web_sessions.current(request[REPO], app[ROSTER], cookie, app[CLOCK].now())
        if person is None:
            if request.method == "GET" or request.path == "/web/logout":
                raise web.HTTPSeeOther("/web/signin")
            return _stale_form(request, await _post(request), t.WEB_SIGNED_OUT_FORM)
        request[STAFF] = person
        if request.method == "POST":
            form = await _post(request)
            sent = form.get("csrf")
            if not web_sessions.csrf_ok(person, sent if isinstance(sent, str) else None):
                if request.path == "/web/logout":
                    return _logout_again(request, person)
                return _stale_form(request, form, t.WEB_STALE_FORM)
        response = await handler(request)
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def _logout_again(request: web.Request, person: web_sessions.StaffSession) -> web.Response:
    """«Выйти» from a tab older than the latest sign-in: its token is the old session's, and
    «Форма устарела… скопируйте набранное» left the browser signed in (a shared computer).
    The token still guards it — a forged «Выйти» only gets this question back."""
    values = {
        "staff": person, "csrf": person.csrf, "heading": t.WEB_LOGOUT_HEADING, "subject": "",
        "question": t.WEB_LOGOUT_QUESTION, "action": "/web/logout",
        "button": t.WEB_LOGOUT_BUTTON, "back": "/web/tickets", "back_label": t.WEB_LOGOUT_STAY,
    }  # fmt: skip
    return aiohttp_jinja2.render_template("confirm.html", request, values, status=403)


def _stale_form(request: web.Request, form: Posted, reason: str) -> web.Response:
    """A form from a page opened before the latest sign-in (its token is another session's),
    or sent after the session ended («Выйти» in another tab, 12 hours gone): refused, and
    what was typed is shown to copy — going back or reloading would lose it."""
    kb = request.path.startswith("/web/kb/")
    labels = t.WEB_KB_FIELD_LABELS if kb else t.WEB_FIELD_LABELS
    typed = [
        (labels.get(name, name), value.strip()) for name, value in form.items()
        if isinstance(value, str) and value.strip() and name not in HIDDEN_FIELDS
        and name not in CHOSEN_FIELDS and not name.startswith("seen_")
    ]  # fmt: skip
    context = {"reason": reason, "typed": typed}
    return aiohttp_jinja2.render_template("stale_form.html", request, context, status=403)


async def _post(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    try:
        return await request.post()
    except web.HTTPRequestEntityTooLarge as exc:
        raise web.HTTPRequestEntityTooLarge(
            max_size=request.client_max_size,
            actual_size=request.content_length or 0,
            text=upload.TOO_BIG_BODY if request.path in LARGE_FORMS else t.WEB_TOO_BIG,
        ) from exc


async def _signed_in(request: web.Request) -> bool:
    """This browser has a panel session already (when the navigation carried its cookie)."""
    cookie = request.cookies.get(COOKIE) or request.cookies.get(APP_COOKIE)
    now = request.app[CLOCK].now()
    return await web_sessions.current(repo(request), request.app[ROSTER], cookie, now) is not None


async def signin(request: web.Request) -> web.Response:
    if await _signed_in(request):  # a bookmark of this page, or «Назад» after signing in
        raise web.HTTPSeeOther("/web/tickets")
    context = {"reason": None, "maybe_in": False}
    return aiohttp_jinja2.render_template("signin.html", request, context)


async def login(request: web.Request) -> web.Response:
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    token = request.query.get("t", "")
    result = await web_sessions.sign_in(repo(request), settings, request.app[ROSTER], token, now)
    if isinstance(result, web_sessions.Refusal):
        # the link tapped in the chat once more: the session it opened may well be running
        again = result in (web_sessions.Refusal.USED, web_sessions.Refusal.EXPIRED)
        if again and await _signed_in(request):
            return aiohttp_jinja2.render_template("entered.html", request, {})
        context = {"reason": t.WEB_REFUSALS[result.value], "maybe_in": again}
        return aiohttp_jinja2.render_template("signin.html", request, context, status=403)
    # SameSite=Strict: a redirect that began with a click in Telegram would not carry the new
    # cookie, so a page of our own moves on (a same-site navigation)
    response = aiohttp_jinja2.render_template("entered.html", request, {})
    set_session_cookie(response, request, result)
    response.headers["Referrer-Policy"] = "no-referrer"  # the used link stays out of logs
    return response


def set_session_cookie(
    response: web.StreamResponse, request: web.Request, opened: web_sessions.SignedIn
) -> None:
    response.set_cookie(
        COOKIE, opened.cookie, path="/web", httponly=True, samesite="Strict",
        secure=request.app[SETTINGS].panel_url.startswith("https://"),
        max_age=int(web_sessions.SESSION_TTL.total_seconds()),
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"


def set_app_session_cookie(response: web.StreamResponse, opened: web_sessions.SignedIn) -> None:
    """The Mini App's session: SameSite=None so Telegram Web's frame (another site) sends it
    back, hence Secure (browsers require it; Telegram opens Mini Apps over https only), and
    Partitioned (CHIPS): kept under the site that frames the panel, so a page of any other site
    has none to send. Written by hand: Python 3.11's cookies module knows no Partitioned."""
    max_age = int(web_sessions.SESSION_TTL.total_seconds())
    _app_cookie(response, opened.cookie, max_age)
    response.headers["Cache-Control"] = "no-store"


def _app_cookie(response: web.StreamResponse, value: str, max_age: int) -> None:
    response.headers.add(
        "Set-Cookie",
        f"{APP_COOKIE}={value}; Path=/web; Max-Age={max_age}; HttpOnly; Secure; SameSite=None; "
        "Partitioned",
    )


async def logout(request: web.Request) -> web.Response:
    for name in (COOKIE, APP_COOKIE):
        await web_sessions.sign_out(repo(request), request.cookies.get(name))
    response = web.HTTPSeeOther("/web/signin")
    response.del_cookie(COOKIE, path="/web")
    _app_cookie(response, "", 0)  # a partitioned cookie is removed only as Partitioned
    raise response


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/web/tickets")


def add_frame_policy(app: web.Application) -> None:
    """Only the panel itself and WEB_FRAME_ANCESTORS (Telegram Web) may show it in a frame."""
    policy = " ".join(["frame-ancestors 'self'", *app[SETTINGS].web_frame_ancestors.split()])

    async def add(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.setdefault("Content-Security-Policy", policy)

    app.on_response_prepare.append(add)


def add_routes(app: web.Application) -> None:
    add_frame_policy(app)
    app.router.add_get("/", home)
    app.router.add_get("/signin", signin)
    app.router.add_get("/login", login)
    app.router.add_post("/logout", logout)
