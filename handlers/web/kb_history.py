"""«База знаний»: the history of panel saves (who, when, what) with revert, and the questions
the bot did not understand, each one click from becoming a sample question of an entry.

The question's text is read from the log by its id, never taken from the form.
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.services.faq.edits import PANEL_MADE
from bot.services.faq.publish import Invalid, Published, attach, reset, revert
from bot.texts import web_kb as words
from handlers.web.context import CLOCK, FAQ, SETTINGS, id_or_404, page, repo, staff

UNANSWERED_DAYS = 30
UNANSWERED_LIMIT = 40
NOTICES = words.NOTICES | {
    f"{key}_cut": f"{text}{words.CUT}" for key, text in words.NOTICES.items() if "attached" in key
}


def notice(request: web.Request) -> str | None:
    """A fixed notice after a redirect (never user text in the URL)."""
    return NOTICES.get(request.query.get("done", ""))


def _int(raw: str) -> int:
    """A row id from the path; anything else (or past the column) is «not found»."""
    return id_or_404(raw)


async def history(request: web.Request) -> web.Response:
    return await _history_page(request, request.match_info.get("id"))


async def _history_page(
    request: web.Request, entry_id: str | None, errors: list[str] | None = None
) -> web.Response:
    history_repo = repo(request).faq_history
    rows = await (history_repo.of_entry(entry_id) if entry_id else history_repo.recent())
    faq = await request.app[FAQ].get(repo(request))
    values = page(
        request, rows=rows, entry_id=entry_id, actions=words.ACTIONS, titles=faq.kb.entries,
        made_here=bool(entry_id and PANEL_MADE.search(entry_id)),
        current={r.entry_id: r.id for r in await history_repo.latest()},
        errors=errors, notice=notice(request),
    )  # fmt: skip
    status = 422 if errors else 200
    return aiohttp_jinja2.render_template("kb_history.html", request, values, status=status)


def _who(request: web.Request) -> tuple[int, str]:
    person = staff(request)
    return person.staff_id, person.name


def _messages(exc: Invalid) -> list[str]:
    return [m for ms in exc.errors.values() for m in ms]


async def _refused(request: web.Request, entry_id: str | None, exc: Invalid) -> web.Response:
    """The history page again, with the checker's reasons."""
    return await _history_page(request, entry_id, _messages(exc))


async def revert_to(request: web.Request) -> web.Response:
    row_id = _int(request.match_info["row"])
    row = await repo(request).faq_history.get(row_id)
    if row is None:
        raise web.HTTPNotFound(text=words.NO_VERSION)
    entry_id, faq = row.entry_id, await request.app[FAQ].get(repo(request))
    placeholders = request.app[SETTINGS].placeholders()
    try:
        tz = request.app[SETTINGS].tz
        done = await revert(faq, repo(request), placeholders, row_id, _who(request), tz=tz)
    except Invalid as exc:
        return await _refused(request, entry_id, exc)
    raise web.HTTPSeeOther(_after(done))


async def reset_to_file(request: web.Request) -> web.Response:
    entry_id = request.match_info["id"]
    faq = await request.app[FAQ].get(repo(request))
    placeholders = request.app[SETTINGS].placeholders()
    try:
        done = await reset(faq, repo(request), placeholders, entry_id, _who(request))
    except Invalid as exc:
        return await _refused(request, entry_id, exc)
    if PANEL_MADE.search(done.entry_id):
        raise web.HTTPSeeOther(f"/web/kb/entry/{done.entry_id}/history?done=removed")
    raise web.HTTPSeeOther(_after(done))


def _after(done: Published) -> str:
    return f"/web/kb/entry/{done.entry_id}/history?done=reverted"


async def unanswered(request: web.Request) -> web.Response:
    return await _unanswered_page(request)


async def _unanswered_page(request: web.Request, errors: list[str] | None = None) -> web.Response:
    faq = await request.app[FAQ].get(repo(request))
    since = request.app[CLOCK].now() - timedelta(days=UNANSWERED_DAYS)
    rows = await repo(request).faq_log.unanswered_since(since, limit=UNANSWERED_LIMIT)
    seen: set[str] = set()
    questions = []
    for row in rows:  # newest first; a question asked five times is listed once
        if row.text in seen:
            continue
        seen.add(row.text)
        result = faq.matcher.search(row.text)
        best = result.candidates[0].id if result.candidates else None
        questions.append((row, result.kind, best))
    entries = sorted(faq.kb.entries.values(), key=lambda e: (e.category, e.title))
    values = page(
        request, questions=questions, entries=entries, titles=faq.kb.entries,
        days=UNANSWERED_DAYS, errors=errors, notice=None,
    )  # fmt: skip
    status = 422 if errors else 200
    return aiohttp_jinja2.render_template("kb_unanswered.html", request, values, status=status)


async def attach_question(request: web.Request) -> web.Response:
    query_id = _int(request.match_info["query"])
    entry_id = str((await request.post()).get("entry_id", ""))
    faq = await request.app[FAQ].get(repo(request))
    placeholders = request.app[SETTINGS].placeholders()
    try:
        done = await attach(faq, repo(request), placeholders, entry_id, query_id, _who(request))
    except Invalid as exc:
        return await _unanswered_page(request, _messages(exc))
    result = ("attached_unsure" if done.instead else "attached") + ("_cut" if done.cut else "")
    raise web.HTTPSeeOther(f"/web/kb/entry/{done.entry_id}?done={result}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/kb/history", history)
    app.router.add_get("/kb/entry/{id}/history", history)
    app.router.add_post("/kb/entry/{id}/reset", reset_to_file)
    app.router.add_post("/kb/revert/{row}", revert_to)
    app.router.add_get("/kb/unanswered", unanswered)
    app.router.add_post("/kb/unanswered/{query}/attach", attach_question)
