"""`python -m bot faq ...`: search, export, check and drafts, for staff and for scripts.

What people read is in Russian; JSON keys and `kind` codes stay as they are for scripts.
"""

from __future__ import annotations

import asyncio
import html
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.core.config import Settings
from bot.services.faq import (
    FaqEntry,
    FaqService,
    SearchResult,
    check_knowledge_base,
    render_answer,
    render_links,
)
from bot.services.faq.additions import Additions, merge

KINDS = {
    "answer": "бот сразу ответит статьёй",
    "suggest": "бот предложит варианты на выбор",
    "smalltalk": "приветствие или благодарность, бот ответит вежливо",
    "offtopic": "вопрос не по теме МОЦ, бот ответит вежливо, без статьи",
    "unknown": "бот не понял вопрос",
}


def _result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "match": {"id": result.match.id, "score": round(result.match.score, 4)}
        if result.match
        else None,
        "candidates": [{"id": c.id, "score": round(c.score, 4)} for c in result.candidates],
        "kind": result.kind,
    }


def _human(result: SearchResult, faq: FaqService) -> str:
    kind = KINDS.get(result.kind, result.kind)
    lines = [f"вопрос:  {result.query}", f"итог:    {result.kind} — {kind}"]
    if result.match:
        title = faq.kb.entries[result.match.id].title
        lines.append(f"статья:  {result.match.id} ({result.match.score:.2f}) — {title}")
    if result.intent:
        lines.append(f"шаблон:  {result.intent.id}")
    for candidate in result.candidates:
        lines.append(f"  похожая статья {candidate.id} ({candidate.score:.2f})")
    return "\n".join(lines)


def search(settings: Settings, text: str, as_json: bool, audience: str | None) -> int:
    faq = FaqService(settings.faq_dir)
    queries = (line.rstrip("\n") for line in sys.stdin) if text == "-" else iter([text])
    for query in queries:
        if text == "-" and not query.strip():
            continue
        result = faq.matcher.search(query, audience=audience)
        if as_json or text == "-":
            print(json.dumps(_result_json(result), ensure_ascii=False), flush=True)
        else:
            print(_human(result, faq))
    return 0


def _export_row(entry: FaqEntry, placeholders: dict[str, str | None] | None) -> dict[str, Any]:
    """An entry as users see it, or (`placeholders` None) as written in the YAML."""
    links = entry.links if placeholders is None else render_links(entry, placeholders)
    return {
        "id": entry.id,
        "title": entry.title,
        "audience": entry.audience,
        "questions": list(entry.questions),
        "answer": entry.answer if placeholders is None else render_answer(entry, placeholders),
        "links": [{"title": link.title, "url": link.url} for link in links],
    }


def export(settings: Settings, *, raw: bool = False) -> int:
    """All entries as JSON: rendered with this deployment's settings, or the raw templates."""
    faq = FaqService(settings.faq_dir)
    placeholders = None if raw else settings.placeholders()
    rows = [_export_row(entry, placeholders) for entry in faq.kb.entries.values()]
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


async def _staff_changes(settings: Settings) -> tuple[Additions | None, str]:
    """What staff changed in the database (chat additions, panel versions), or why not read."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.services.faq.learning import load_additions
    from storage.db import create_engine, create_sessionmaker
    from storage.repositories import Repositories

    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await load_additions(Repositories(session)), ""
    except (SQLAlchemyError, OSError) as exc:
        return None, f"база данных не ответила ({type(exc).__name__})"
    finally:
        await engine.dispose()


def _no_sqlite_file(database_url: str) -> str | None:
    """The SQLite file the URL names, when it does not exist: opening it would create it."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or name in (None, "", ":memory:"):
        return None
    return None if Path(name).exists() else name


def check(settings: Settings, today: date, *, files_only: bool = False) -> int:
    """Validate what the bot serves: the data files and, unless `files_only`, what staff
    changed in the database on top of them. Errors exit 1, warnings only print."""
    from bot.services.faq import KnowledgeBaseError, load_knowledge_base

    try:
        kb = load_knowledge_base(settings.faq_dir)
    except KnowledgeBaseError as exc:
        print(f"ОШИБКА {exc}", file=sys.stderr)
        return 1
    notes: list[str] = []
    scope = "файлы"
    if not files_only:
        missing = _no_sqlite_file(settings.database_url)
        additions, why = (
            (None, f"файла базы {missing} нет")
            if missing
            else asyncio.run(_staff_changes(settings))
        )
        if additions is None:
            print(f"Правки сотрудников не проверены: {why}; проверены файлы.", file=sys.stderr)
        else:
            kb, notes = merge(kb, additions)
            scope = (
                f"файлы и правки сотрудников из базы (вопросов: {len(additions.samples)}, "
                f"статей: {len(additions.entries)}, версий из панели: {len(additions.edits)})"
            )
    problems = check_knowledge_base(kb, settings.placeholders(), today)
    for p in problems:
        where = f"{p.file}" + (f" [{p.entry_id}]" if p.entry_id else "")
        print(f"{p.label} {where}: {p.message}", file=sys.stderr)
    for note in notes:  # the bot skips these additions at load; staff should know why
        print(f"ПРЕДУПРЕЖДЕНИЕ правка сотрудника не применяется: {note}", file=sys.stderr)
    errors = sum(1 for p in problems if p.level == "error")
    unset = settings.unset_region_settings()
    if unset:
        print(
            f"Не заданы настройки региона ({len(unset)}): {', '.join(unset)} — ответы обходятся "
            "без этих сведений или советуют уточнить в МОЦ; задайте их в .env",
            file=sys.stderr,
        )
    print(
        f"проверено: {scope}; статей: {len(kb.entries)}, разделов: {len(kb.categories)}, "
        f"шаблонов в {kb.intents_file.name}: {len(kb.smalltalk) + len(kb.offtopic)} — "
        f"ошибок: {errors}, предупреждений: {len(problems) + len(notes) - errors}"
    )
    return 1 if errors else 0


async def drafts(settings: Settings) -> int:
    """Staff drafts as YAML entries, ready to paste into a data file and edit."""
    import yaml

    from storage.db import create_engine, create_sessionmaker
    from storage.repositories import Repositories

    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await Repositories(session).faq_log.drafts(limit=1000)
    finally:
        await engine.dispose()
    entries = [
        {
            "id": f"draft.{d.id}",
            "category": "moc",
            "title": d.question[:60],
            "audience": "all",
            "questions": [d.question],
            "answer": html.escape(d.answer, quote=False),
            "checked": d.created_at.date().isoformat(),
        }
        for d in reversed(rows)
    ]
    print(yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False), end="")
    return 0
