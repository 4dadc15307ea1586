"""Whole entries as staff saved them in the web panel, applied over the YAML at every load.

An edit replaces the entry of its id (a YAML entry, a chat-made one) or adds a new entry; an
inactive one puts the file version back. An edit of an entry the files no longer have is left
out: deleting an entry from the YAML deletes it, an old panel version does not bring it back.
A sample question another entry already owns is left out with a note (the check before a save
turns the note into a refusal), so a later change of the YAML can never make the whole
knowledge base fail to load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.services.faq.kb import Audience, Category, FaqEntry, Link
from bot.services.faq.text import normalize

__all__ = ["PANEL_SOURCE", "EntryEdit", "apply_edits"]

PANEL_SOURCE = Path("изменено в веб-панели")  # the «file» of panel-saved entries in checks
PANEL_MADE = re.compile(r"\.web\d+$")  # ids of entries made in the panel: `<category>.webN`


@dataclass(frozen=True)
class EntryEdit:
    entry_id: str
    category: str
    audience: Audience
    title: str
    answer: str
    questions: tuple[str, ...]
    links: tuple[Link, ...]
    related: tuple[str, ...]
    checked: date
    active: bool = True

    def entry(self) -> FaqEntry:
        return FaqEntry(
            self.entry_id, self.category, self.title, self.audience, self.questions,
            self.answer, self.checked, self.links, self.related,
        )  # fmt: skip


def apply_edits(
    entries: dict[str, FaqEntry],
    sources: dict[str, Path],
    categories: dict[str, Category],
    owners: dict[str, str],
    edits: tuple[EntryEdit, ...],
) -> list[str]:
    """Apply in place (`owners`: normalised question -> entry or intent id, kept current);
    returns notes on what was left out."""
    notes: list[str] = []
    for edit in edits:
        if not edit.active:
            continue
        if edit.category not in categories:
            notes.append(f"статья «{edit.entry_id}»: раздела «{edit.category}» нет")
            continue
        old = entries.get(edit.entry_id)
        if old is None and not PANEL_MADE.search(edit.entry_id):
            notes.append(
                f"статья «{edit.entry_id}»: её больше нет в файлах, версия из панели не нужна"
            )
            continue
        for question in old.questions if old else ():
            if owners.get(normalize(question)) == edit.entry_id:
                del owners[normalize(question)]
        kept: list[str] = []
        for question in edit.questions:
            key = normalize(question)
            owner = owners.get(key)
            if owner is not None and owner != edit.entry_id:
                notes.append(f"вопрос «{question}» уже ведёт к «{owner}»")
            elif key and owner is None:
                owners[key] = edit.entry_id
                kept.append(question)
        entries[edit.entry_id] = EntryEdit(
            edit.entry_id, edit.category, edit.audience, edit.title, edit.answer,
            tuple(kept), edit.links, edit.related, edit.checked,
        ).entry()  # fmt: skip
        sources[edit.entry_id] = PANEL_SOURCE
    return notes
