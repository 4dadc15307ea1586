"""`python -m bot faq staff`: what staff taught the bot in the chat, as YAML for the data files.

The bot serves these additions from the database (`faq_staff_samples`, `faq_staff_entries`,
and whole entries saved in the web panel, `faq_entry_versions`);
editors who keep the YAML as the master copy paste them into the files. Once a question is in
a file, the database copy is skipped at load (the YAML wins), so pasting is always safe.
"""

from __future__ import annotations

from typing import Any

from bot.core.config import Settings
from bot.texts.web_kb import STAFF_YAML_HEADER


async def staff_additions(settings: Settings) -> int:
    import yaml

    from bot.services.faq import FaqService
    from storage.db import create_engine, create_sessionmaker
    from storage.repositories import Repositories

    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            repo = Repositories(session)
            samples, entries = await repo.faq_kb.samples(), await repo.faq_kb.entries()
            panel = [row for row in await repo.faq_history.latest() if row.active]
    finally:
        await engine.dispose()
    kb = FaqService(settings.faq_dir).kb
    own = {e.entry_id for e in entries}
    questions: dict[str, list[str]] = {}
    for sample in samples:
        questions.setdefault(sample.entry_id, []).append(sample.question)
    audience = {c.id: c.audience for c in kb.categories}
    out: dict[str, Any] = {
        "questions": {k: v for k, v in questions.items() if k not in own},
        "entries": [
            {
                "id": e.entry_id,
                "category": e.category,
                "title": e.title,
                "audience": audience.get(e.category, "all"),
                "questions": questions.get(e.entry_id, []),
                "answer": e.answer,
                "checked": e.updated_at.date().isoformat(),
            }
            for e in entries
        ],
        "panel": [
            {
                "id": row.entry_id,
                "category": row.category,
                "title": row.title,
                "audience": row.audience,
                "questions": list(row.questions),
                "answer": row.answer,
                **({"links": [{"title": t, "url": u} for t, u in row.links]} if row.links else {}),
                **({"related": list(row.related)} if row.related else {}),
                "checked": row.created_at.date().isoformat(),
            }
            for row in panel
        ],
    }
    print(STAFF_YAML_HEADER)
    print(yaml.safe_dump(out, allow_unicode=True, sort_keys=False), end="")
    return 0
