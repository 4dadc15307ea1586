"""The live FAQ: knowledge base and matcher, replaced together by `/reload_faq`.

Handlers read `service.kb` and `service.matcher` on every message, so a reload must never
expose a half-built pair or drop the working one: the new pair is built (and optionally
checked) completely first, then swapped in with a single assignment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from bot.faq.check import check_knowledge_base
from bot.faq.kb import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from bot.faq.matcher import FaqMatcher

__all__ = ["FaqService"]


class FaqService:
    def __init__(
        self, directory: Path | None = None, placeholders: Mapping[str, str | None] | None = None
    ) -> None:
        """Load now (errors propagate); with `placeholders`, check errors also refuse a load."""
        self.directory = directory
        self.placeholders = placeholders
        self._state = self._build()
        # Views derived from the KB (rendered answers with their keyboards), built once per
        # entry: aiogram's keyboard builder copies itself on every button, so rebuilding the
        # same markup for each question costs more than answering it.
        self.views: dict[str, Any] = {}

    @property
    def kb(self) -> KnowledgeBase:
        return self._state[0]

    @property
    def matcher(self) -> FaqMatcher:
        return self._state[1]

    def _build(self) -> tuple[KnowledgeBase, FaqMatcher]:
        kb = load_knowledge_base(self.directory)
        if self.placeholders is not None:
            problems = check_knowledge_base(kb, self.placeholders, date.today())
            errors = [str(p) for p in problems if p.level == "error"]
            if errors:
                raise KnowledgeBaseError("Проверка базы знаний не пройдена:\n" + "\n".join(errors))
        return kb, FaqMatcher(kb)

    def reload(self) -> KnowledgeBase:
        """Load, index and swap in the FAQ; on any error raise and keep serving the old one."""
        state = self._build()
        self._state, self.views = state, {}
        return state[0]
