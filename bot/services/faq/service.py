"""The live FAQ: knowledge base and matcher, replaced together by `/reload_faq`.

Handlers read `service.kb` and `service.matcher` on every message, so a reload must never
expose a half-built pair or drop the working one: the new pair is built (and optionally
checked) completely first, then swapped in with a single assignment. Staff additions from the
database (`Additions`) are merged into the YAML on every build; `version` says which database
version the live pair reflects.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.services.faq.additions import STAFF_SOURCE, Additions, merge
from bot.services.faq.check import Problem, check_knowledge_base
from bot.services.faq.edits import PANEL_SOURCE
from bot.services.faq.kb import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from bot.services.faq.matcher import FaqMatcher
from bot.services.faq.replies import Reply

__all__ = ["Built", "FaqService"]

log = logging.getLogger(__name__)
OWN_SOURCES = (STAFF_SOURCE.name, PANEL_SOURCE.name)  # staff-made: left out if broken


@dataclass(frozen=True)
class Built:
    """A knowledge base ready to swap in, with what the checker said about it."""

    kb: KnowledgeBase
    matcher: FaqMatcher
    additions: Additions
    problems: tuple[Problem, ...] = ()


def _errors(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.level == "error"]


class FaqService:
    def __init__(
        self,
        directory: Path | None = None,
        placeholders: Mapping[str, str | None] | None = None,
        additions: Additions | None = None,
    ) -> None:
        """Load now (errors propagate); with `placeholders`, check errors also refuse a load."""
        self.directory = directory
        self.placeholders = placeholders
        self._state = self._build(additions or Additions())
        # Answers rendered from the KB with their buttons (`consult.entry_view`), built once
        # per entry: rendering the placeholders and links for each question costs more than
        # answering it.
        self.views: dict[str, Reply] = {}
        self.checked_at = float("-inf")  # when the database version was last read
        self.rebuilding = False  # one rebuild at a time; questions meanwhile use the live one

    @property
    def kb(self) -> KnowledgeBase:
        return self._state.kb

    @property
    def matcher(self) -> FaqMatcher:
        return self._state.matcher

    @property
    def additions(self) -> Additions:
        return self._state.additions

    @property
    def version(self) -> int:
        return self._state.additions.version

    def _build(self, additions: Additions) -> Built:
        """YAML errors refuse the load; a staff addition the checker rejects is left out."""
        base = load_knowledge_base(self.directory)
        kb, notes = merge(base, additions)
        problems: list[Problem] = []
        if self.placeholders is not None:
            problems = check_knowledge_base(kb, self.placeholders, date.today())
            broken = {
                p.entry_id
                for p in problems
                if p.level == "error" and p.file in OWN_SOURCES and p.entry_id
            }
            if broken:
                notes.append(f"статьи сотрудников с ошибками не загружены: {sorted(broken)}")
                kb, _ = merge(base, additions.without(broken))
                problems = check_knowledge_base(kb, self.placeholders, date.today())
            if errors := _errors(problems):
                raise KnowledgeBaseError("Проверка базы знаний не пройдена:\n" + "\n".join(errors))
        for note in notes:
            log.warning("FAQ staff addition left out: %s", note)
        return Built(kb, FaqMatcher(kb), additions, tuple(problems))

    def candidate(self, additions: Additions, placeholders: Mapping[str, str | None]) -> Built:
        """Build with `additions` and check strictly, without swapping: a staff change is
        saved only if this passes (`KnowledgeBaseError` lists what the checker found)."""
        base, today = load_knowledge_base(self.directory), date.today()
        live, live_notes = merge(base, self.additions)  # what is wrong already is not news
        known = set(_errors(check_knowledge_base(live, placeholders, today)) + live_notes)
        kb, notes = merge(base, additions)
        problems = check_knowledge_base(kb, placeholders, today)
        if errors := [e for e in _errors(problems) + notes if e not in known]:
            raise KnowledgeBaseError("\n".join(errors))
        return Built(kb, FaqMatcher(kb), additions, tuple(problems))

    def build(self, additions: Additions) -> Built:
        """The knowledge base with these additions, as a load would make it."""
        return self._build(additions)

    def swap(self, built: Built, *, force: bool = False) -> None:
        """Serve `built` from now on, unless something newer is already served (`force`: the
        database went back, e.g. restored from a backup)."""
        if force or built.additions.version >= self.version:
            self._state, self.views = built, {}

    def mark_version(self, version: int) -> None:
        """The live base is what database version `version` describes (after a YAML reload
        announced to other instances); only a next version can be taken as read."""
        if version == self.version + 1:
            additions = dataclasses.replace(self.additions, version=version)
            self._state = dataclasses.replace(self._state, additions=additions)

    def reload(self) -> KnowledgeBase:
        """Load, index and swap in the FAQ; on any error raise and keep serving the old one."""
        state = self._build(self.additions)
        self._state, self.views = state, {}
        return state.kb
