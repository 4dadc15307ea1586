"""Staff additions (sample questions, whole entries) merged into the YAML knowledge base.

The YAML files are what editors maintain; what staff teach the bot from a chat lives in the
database (a later web panel edits the same rows) and is merged in at every load. The YAML
wins every conflict: a sample question some entry already has, an entry id the YAML now uses,
an entry or category the YAML no longer has. Such additions are left out with a note rather
than refusing the whole knowledge base, so an editor's change can never stop the bot.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.services.faq.edits import EntryEdit, apply_edits
from bot.services.faq.kb import FaqEntry, KnowledgeBase
from bot.services.faq.text import normalize

__all__ = ["STAFF_SOURCE", "Additions", "StaffEntry", "StaffSample", "merge"]

STAFF_SOURCE = Path("добавлено сотрудниками в боте")  # the «file» of staff entries in checks


@dataclass(frozen=True)
class StaffSample:
    entry_id: str
    question: str


@dataclass(frozen=True)
class StaffEntry:
    """An entry written by staff; its sample questions are `StaffSample`s with its id."""

    id: str
    category: str
    title: str
    answer: str
    checked: date


@dataclass(frozen=True)
class Additions:
    """Everything staff added, as of database version `version`."""

    version: int = 0
    entries: tuple[StaffEntry, ...] = ()
    samples: tuple[StaffSample, ...] = ()
    edits: tuple[EntryEdit, ...] = ()  # whole entries saved in the web panel, oldest first

    def plus(
        self,
        entry: StaffEntry | None = None,
        samples: tuple[StaffSample, ...] = (),
        edit: EntryEdit | None = None,
    ) -> Additions:
        """These additions and one more change, to check it before it is saved."""
        entries = (*self.entries, entry) if entry is not None else self.entries
        edits = self.edits if edit is None else (*self.edits, edit)
        return Additions(self.version, entries, (*self.samples, *samples), edits)

    def without(self, entry_ids: set[str]) -> Additions:
        return Additions(
            self.version,
            tuple(e for e in self.entries if e.id not in entry_ids),
            tuple(s for s in self.samples if s.entry_id not in entry_ids),
            tuple(e for e in self.edits if e.entry_id not in entry_ids),
        )


def _owners(kb: KnowledgeBase, entries: dict[str, FaqEntry]) -> dict[str, str]:
    """Normalised sample question -> the entry or intent that has it."""
    owners = {normalize(q): e.id for e in entries.values() for q in e.questions}
    for intent in kb.smalltalk + kb.offtopic:
        owners.update({normalize(q): intent.id for q in intent.questions})
    return owners


def merge(kb: KnowledgeBase, additions: Additions) -> tuple[KnowledgeBase, list[str]]:
    """The knowledge base with the additions in, and notes on what was left out and why."""
    notes: list[str] = []
    entries = dict(kb.entries)
    sources = dict(kb.sources)
    categories = {c.id: c for c in kb.categories}
    for staff in additions.entries:
        category = categories.get(staff.category)
        if staff.id in entries or category is None:
            notes.append(f"статья «{staff.id}»: id занят или раздела «{staff.category}» нет")
            continue
        entries[staff.id] = FaqEntry(
            staff.id, staff.category, staff.title, category.audience, (), staff.answer,
            staff.checked,
        )  # fmt: skip
        sources[staff.id] = STAFF_SOURCE
    owners = _owners(kb, entries)
    notes += apply_edits(entries, sources, categories, owners, additions.edits)
    extra: dict[str, list[str]] = {}
    for sample in additions.samples:
        key = normalize(sample.question)
        if sample.entry_id not in entries:
            notes.append(f"вопрос «{sample.question}»: статьи «{sample.entry_id}» нет")
        elif key in owners:
            if owners[key] != sample.entry_id:
                notes.append(f"вопрос «{sample.question}» уже ведёт к «{owners[key]}»")
        elif key:
            owners[key] = sample.entry_id
            extra.setdefault(sample.entry_id, []).append(sample.question)
    for entry_id, questions in extra.items():
        entry = entries[entry_id]
        entries[entry_id] = dataclasses.replace(entry, questions=(*entry.questions, *questions))
    merged = dataclasses.replace(kb, entries=entries, sources=sources)
    return merged, notes
