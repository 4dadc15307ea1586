"""Typed field access for one hand-edited YAML file, failing with the file and entry named.

Kept apart from `kb.py` so the record definitions stay readable; every accessor either returns
a value of the promised type or raises `KnowledgeBaseError` saying what is wrong and where.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

import yaml


class KnowledgeBaseError(ValueError):
    """Malformed FAQ data; the message names the file and, when known, the entry."""

    def __init__(self, message: str, file: Path | None = None, entry_id: str | None = None):
        super().__init__(message)
        self.file = file
        self.entry_id = entry_id


@dataclass(frozen=True)
class FileReader:
    path: Path
    root: Mapping[str, object]

    @classmethod
    def open(cls, path: Path) -> FileReader:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KnowledgeBaseError(f"{path.name}: cannot read ({exc})", path) from exc
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{path.name}: invalid YAML ({exc})", path) from exc
        if not isinstance(data, Mapping):
            raise KnowledgeBaseError(f"{path.name}: expected a mapping at the top level", path)
        return cls(path, data)

    def fail(self, entry_id: str | None, message: str) -> NoReturn:
        where = f"{self.path.name}: entry {entry_id!r}" if entry_id else self.path.name
        raise KnowledgeBaseError(f"{where}: {message}", self.path, entry_id)

    def _get(self, raw: Mapping[str, object], key: str, eid: str | None, required: bool) -> object:
        value = raw.get(key)
        if value is None and required:
            self.fail(eid, f"field {key!r} is missing")
        return value

    def text(self, raw: Mapping[str, object], key: str, eid: str | None) -> str:
        value = self._get(raw, key, eid, True)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(eid, f"field {key!r} must be text, got {type(value).__name__}")
        text = str(value).strip()
        if not text:
            self.fail(eid, f"field {key!r} is empty")
        return text

    def optional_text(self, raw: Mapping[str, object], key: str, eid: str | None) -> str | None:
        return None if raw.get(key) in (None, "") else self.text(raw, key, eid)

    def texts(
        self, raw: Mapping[str, object], key: str, eid: str | None, *, required: bool = True
    ) -> tuple[str, ...]:
        value = self._get(raw, key, eid, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(eid, f"field {key!r} must be a list")
        return tuple(self.text({key: item}, key, eid) for item in value)

    def mappings(
        self, raw: Mapping[str, object], key: str, eid: str | None = None, *, required: bool = True
    ) -> list[Mapping[str, object]]:
        value = self._get(raw, key, eid, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.fail(eid, f"field {key!r} must be a list of mappings")
        return value

    def date(self, raw: Mapping[str, object], key: str, eid: str | None) -> date:
        value = self._get(raw, key, eid, True)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(eid, f"field {key!r} must be a date like 2025-01-31, got {value!r}")

    def only(self, raw: Mapping[str, object], allowed: frozenset[str], eid: str | None) -> None:
        """Unknown keys are typos of optional fields («link:», «relatd:»): refuse them."""
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            expected = ", ".join(sorted(allowed))
            self.fail(eid, f"unknown field(s) {', '.join(unknown)} (expected: {expected})")

    def unique(self, ids: list[str], what: str) -> None:
        seen: set[str] = set()
        for item in ids:
            if item in seen:
                self.fail(item, f"duplicate {what} id")
            seen.add(item)
