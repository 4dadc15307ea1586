"""An entry as the web panel's editor describes it, and what `faq check` says about it.

The form is parsed into a `Draft`; `check_draft` merges it into the live knowledge base (as a
save would) and runs the same checker as `python -m bot faq check`, keeping only the errors the
change brings (what was wrong before is not the editor's fault). Errors come back by form
field, in Russian, so the page shows each next to its field. Pure: no database, no aiohttp.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.services.faq.additions import Additions, merge
from bot.services.faq.check import check_knowledge_base
from bot.services.faq.edits import EntryEdit
from bot.services.faq.kb import (
    DEFAULT_DIRECTORY,
    FaqEntry,
    KnowledgeBase,
    KnowledgeBaseError,
    Link,
    load_knowledge_base,
    render_answer,
)
from bot.services.faq.replies import answer as answer_buttons
from bot.services.faq.service import FaqService
from bot.texts import web_kb as words
from bot.texts.web_kb import for_page

__all__ = ["Checked", "Draft", "Errors", "check_draft", "parse_form", "with_edit"]

Errors = dict[str, list[str]]  # form field -> messages; "form" for the page as a whole
TITLE_LIMIT = 256
QUESTION_LIMIT = 300
NEW_ID = "{category}.web0"  # a new entry is checked under this id, saved as `.web<row id>`


@dataclass(frozen=True)
class Draft:
    """An entry as the editor form describes it; `entry_id` None for a new one."""

    entry_id: str | None
    category: str
    title: str
    answer: str
    questions: tuple[str, ...]
    links: tuple[Link, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def check_id(self) -> str:
        return self.entry_id or NEW_ID.format(category=self.category)


@dataclass(frozen=True)
class Checked:
    """The checker's verdict and the answer as the parent will see it."""

    errors: Errors = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    preview: str = ""  # Telegram HTML; empty when it does not render
    buttons: tuple[str, ...] = ()  # labels of the buttons under the answer

    @property
    def ok(self) -> bool:
        return not self.errors


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _links(raw: str, errors: Errors) -> tuple[Link, ...]:
    links: list[Link] = []
    for line in filter(str.strip, raw.splitlines()):
        title, bar, url = line.rpartition("|")
        if not bar or not title.strip() or not url.strip():
            _add(errors, "links", words.LINK_FORMAT.format(line=line.strip()))
        else:
            links.append(Link(title.strip(), url.strip()))
    return tuple(links)


def parse_form(form: Mapping[str, str], entry_id: str | None) -> tuple[Draft, Errors]:
    """The editor's fields as a draft, with what is wrong before any checking."""
    errors: Errors = {}
    title = " ".join(form.get("title", "").split())
    answer = form.get("answer", "").replace("\r\n", "\n").strip()
    lines = (" ".join(line.split()) for line in form.get("questions", "").splitlines())
    questions = tuple(dict.fromkeys(line for line in lines if line))
    related = tuple(dict.fromkeys(r for r in re.split(r"[\s,;]+", form.get("related", "")) if r))
    if not title:
        _add(errors, "title", words.TITLE_EMPTY)
    elif len(title) > TITLE_LIMIT:
        _add(errors, "title", words.TITLE_LONG.format(limit=TITLE_LIMIT))
    if not answer:
        _add(errors, "answer", words.ANSWER_EMPTY)
    for question in questions:
        if len(question) > QUESTION_LIMIT:
            long = words.QUESTION_LONG.format(start=question[:60], limit=QUESTION_LIMIT)
            _add(errors, "questions", long)
    category = form.get("category", "").strip()
    links = _links(form.get("links", ""), errors)
    draft = Draft(entry_id, category, title, answer, questions, links, related)
    return draft, errors


def _field(message: str) -> str:
    """The form field a checker message is about."""
    for marks, name, where in words.FIELD_OF:
        if any(message.startswith(m) if where == "start" else m in message for m in marks):
            return name
    return "form"


def with_edit(additions: Additions, edit: EntryEdit) -> Additions:
    """The additions once `edit` is saved: it replaces the entry's earlier panel version, and
    the entry's chat-added questions (the editor showed them; the save folds them in)."""
    return Additions(
        additions.version,
        additions.entries,
        tuple(s for s in additions.samples if s.entry_id != edit.entry_id),
        (*(e for e in additions.edits if e.entry_id != edit.entry_id), edit),
    )


_bases: dict[tuple[object, ...], KnowledgeBase] = {}  # the YAML as last read, by file stamps


def _base(directory: Path | None) -> KnowledgeBase:
    """The YAML knowledge base, read again only when a file changed: parsing it is most of
    a check's time, and the editor checks as staff type."""
    folder = directory or DEFAULT_DIRECTORY
    stats = ((p.name, p.stat()) for p in sorted(folder.glob("*.yaml")))
    key = (folder, *((name, st.st_mtime_ns, st.st_size) for name, st in stats))
    if key not in _bases:
        base = load_knowledge_base(directory)
        _bases.clear()
        _bases[key] = base
    return _bases[key]


def check_draft(
    faq: FaqService,
    edit: EntryEdit,
    placeholders: Mapping[str, str | None],
    today: date,
) -> Checked:
    """The errors this edit brings into the live knowledge base, and its preview. Reads the
    YAML files: run it off the event loop."""
    try:
        base = _base(faq.directory)
    except KnowledgeBaseError as exc:  # the files broke under the running bot
        return Checked({"form": [str(exc)]})
    live, live_notes = merge(base, faq.additions)
    known = {str(p) for p in check_knowledge_base(live, placeholders, today) if p.level == "error"}
    known.update(live_notes)
    kb, notes = merge(base, with_edit(faq.additions, edit))
    errors: Errors = {}
    for note in notes:
        if note not in known:
            _add(errors, _field(note), for_page(note))
    problems = check_knowledge_base(kb, placeholders, today)
    for p in problems:
        if p.level == "error" and str(p) not in known:
            own = p.entry_id == edit.entry_id
            _add(errors, _field(p.message) if own else "form",
                 for_page(p.message) if own else str(p))  # fmt: skip
    warnings = tuple(
        for_page(p.message)
        for p in problems
        if p.level == "warning" and p.entry_id == edit.entry_id
    )
    return Checked(errors, warnings, *_preview(kb, edit.entry(), placeholders))


def _preview(
    kb: KnowledgeBase, entry: FaqEntry, placeholders: Mapping[str, str | None]
) -> tuple[str, tuple[str, ...]]:
    try:
        text = render_answer(entry, placeholders)
        related = [kb.entries[r] for r in entry.related if r in kb.entries]
        keyboard = answer_buttons(entry, related, placeholders)
    except KnowledgeBaseError:
        return "", ()
    return text, tuple(button.label for row in keyboard for button in row)
