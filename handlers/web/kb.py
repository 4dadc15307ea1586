"""«База знаний»: the entries, the editor with the `faq check` checker and a preview, a new
entry, and «Проверить вопрос» (what the matcher does with a question).

Saving goes through bot.services.faq.publish: checked, built, then one new version in the
database that this instance serves at once and every other within FAQ_SYNC_SECONDS. The
editor's «Проверить» and the page's script (static/kb.js, a plain fetch to /kb/check) ask the
same checker without saving. History, revert and unanswered questions: kb_history.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import aiohttp_jinja2
from aiohttp import web

from bot.core.words import folded
from bot.services.faq import FaqEntry, FaqService
from bot.services.faq.editing import Checked, parse_form
from bot.services.faq.edits import PANEL_SOURCE
from bot.services.faq.private import strip_contacts
from bot.services.faq.publish import Invalid, preview, save
from bot.texts import web_kb as words
from handlers.web import kb_history
from handlers.web.context import FAQ, KB_SAVING, SETTINGS, int_or_none, page, repo, staff
from handlers.web.kb_history import notice
from handlers.web.kb_preview import telegram_html

TRY_LIMIT = 1000
FIELDS = ("title", "answer", "questions", "links", "related", "category")  # the editor's inputs


async def faq_of(request: web.Request) -> FaqService:
    return await request.app[FAQ].get(repo(request))


def _entry_or_404(faq: FaqService, entry_id: str) -> FaqEntry:
    entry = faq.kb.entries.get(entry_id)
    if entry is None:
        raise web.HTTPNotFound(text=words.NO_ENTRY)
    return entry


def _matches(entry: FaqEntry, needle: str) -> bool:
    """Every word of the search somewhere in the entry's id, title or questions, in any order,
    «е» for «ё» (as people type): «ребенку 18» finds «Ребёнку исполняется 18 посреди года»."""
    hay = folded(" ".join((entry.id, entry.title, *entry.questions)))
    return all(word in hay for word in re.findall(r"\w+", folded(needle)))


def _try(faq: FaqService, question: str) -> dict[str, object] | None:
    """What the bot would do with `question`: the decision and the top candidates."""
    question = question.strip()[:TRY_LIMIT]
    if not question:
        return None
    result = faq.matcher.search(question)
    candidates = [
        (c.id, faq.kb.entries[c.id].title, f"{c.score:.2f}")
        for c in result.candidates
        if c.id in faq.kb.entries
    ]
    return {
        "question": question,
        "kind": result.kind,
        "explained": words.KINDS.get(result.kind, result.kind),
        "mark": words.KIND_MARKS.get(result.kind, result.kind),
        "match": result.match.id if result.match else None,
        "intent": result.intent.id if result.intent else None,
        "candidates": candidates,
    }


async def entry_list(request: web.Request) -> web.Response:
    faq = await faq_of(request)
    needle = request.query.get("q", "").strip()[:200]
    entries = [e for e in faq.kb.entries.values() if not needle or _matches(e, needle)]
    groups = [
        (category, [e for e in entries if e.category == category.id])
        for category in faq.kb.categories
    ]
    values = page(
        request, groups=[(c, es) for c, es in groups if es], needle=needle,
        total=len(faq.kb.entries), shown=len(entries), version=faq.version,
        tried=_try(faq, request.query.get("try", "")), notice=notice(request),
        edited={i for i, p in faq.kb.sources.items() if p == PANEL_SOURCE},
    )  # fmt: skip
    return aiohttp_jinja2.render_template("kb.html", request, values)


def _fields(entry: FaqEntry) -> dict[str, str]:
    return {
        "title": entry.title,
        "answer": entry.answer,
        "questions": "\n".join(entry.questions),
        "links": "\n".join(f"{link.title} | {link.url}" for link in entry.links),
        "related": ", ".join(entry.related),
        "category": entry.category,
    }


async def _editor(
    request: web.Request,
    entry_id: str | None,
    fields: Mapping[str, str],
    checked: Checked,
    status: int = 200,
) -> web.Response:
    faq = await faq_of(request)
    history = await repo(request).faq_history.of_entry(entry_id, limit=5) if entry_id else []
    source = faq.kb.sources.get(entry_id or "")
    base = fields.get("base") or str(history[0].id if history else 0)  # kept across a refusal
    seen = fields.get("seen") or str(await repo(request).faq_kb.last_sample_id())
    values = page(
        request, entry_id=entry_id, fields=fields, checked=checked, history=history, base=base,
        seen=seen,
        preview=telegram_html(checked.preview), categories=faq.kb.categories,
        source=source.name if source else None, notice=notice(request),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("kb_entry.html", request, values, status=status)


async def entry_view(request: web.Request) -> web.Response:
    faq = await faq_of(request)
    entry = _entry_or_404(faq, request.match_info["id"])
    fields = _fields(entry)
    draft, _ = parse_form(fields, entry.id)
    placeholders = request.app[SETTINGS].placeholders()
    return await _editor(request, entry.id, fields, await preview(faq, draft, placeholders))


async def new_entry(request: web.Request) -> web.Response:
    """An empty editor, or one with a logged question (`from`: its id) as the first sample."""
    fields = dict.fromkeys(FIELDS, "")
    raw = request.query.get("from", "")
    query_id = int_or_none(raw)
    query = await repo(request).faq_log.get(query_id) if query_id is not None else None
    if query is not None:  # the asker's phone, e-mail and name stay out of the new entry
        fields["questions"] = fields["title"] = strip_contacts(query.text)[0][:256]
    return await _editor(request, None, fields, Checked())


async def _form(request: web.Request) -> dict[str, str]:
    """The posted editor; a field the form lacks (a form made by hand, not the page's) is
    empty, so the page shown back says what is missing instead of failing to render."""
    posted = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    return {**dict.fromkeys(FIELDS, ""), **posted}


async def submit(request: web.Request) -> web.Response:
    """«Проверить» (action=check) or «Сохранить» of the editor, for an entry or a new one."""
    faq = await faq_of(request)
    entry_id = request.match_info.get("id")
    if entry_id is not None:
        _entry_or_404(faq, entry_id)
    form = await _form(request)
    draft, errors = parse_form(form, entry_id)
    placeholders = request.app[SETTINGS].placeholders()
    checked = await preview(faq, draft, placeholders)
    if errors or not checked.ok or form.get("action") != "save":
        merged = Checked({**checked.errors, **errors}, checked.warnings, checked.preview,
                         checked.buttons)  # fmt: skip
        return await _editor(request, entry_id, form, merged, 422 if merged.errors else 200)
    person = staff(request)
    try:
        base, seen = (int_or_none(form.get(key)) for key in ("base", "seen"))
        who = (person.staff_id, person.name)
        async with request.app[KB_SAVING]:
            saved = await save(
                faq, repo(request), placeholders, draft, who, base, seen,
                tz=request.app[SETTINGS].tz,
            )  # fmt: skip
    except Invalid as exc:
        return await _editor(request, entry_id, form, Checked(exc.errors), 422)
    done = "saved_merged" if saved.merged else "saved" if entry_id else "created"
    raise web.HTTPSeeOther(f"/web/kb/entry/{saved.entry_id}?done={done}")


async def check(request: web.Request) -> web.Response:
    """The editor's live check (static/kb.js): errors by field and the preview, as JSON."""
    faq = await faq_of(request)
    form = await _form(request)
    entry_id = form.get("entry_id") or None
    if entry_id is not None and entry_id not in faq.kb.entries:
        return web.json_response({"errors": {"form": [words.NO_ENTRY]}}, status=404)
    draft, errors = parse_form(form, entry_id)
    checked = await preview(faq, draft, request.app[SETTINGS].placeholders())
    return web.json_response(
        {
            "errors": {**checked.errors, **errors},
            "warnings": list(checked.warnings),
            "preview": str(telegram_html(checked.preview)),
            "buttons": list(checked.buttons),
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/kb", entry_list)
    app.router.add_get("/kb/new", new_entry)
    app.router.add_post("/kb/new", submit)
    app.router.add_post("/kb/check", check)
    app.router.add_get("/kb/entry/{id}", entry_view)
    app.router.add_post("/kb/entry/{id}", submit)
    kb_history.add_routes(app)
