"""Typed field access for one hand-edited YAML file, failing with the file and entry named.

Kept apart from `kb.py` so the record definitions stay readable; every accessor either returns
a value of the promised type or raises `KnowledgeBaseError` saying, in Russian for the staff
who edit the files, what is wrong, where, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

import yaml

from bot.core import yaml_problems

KINDS = {"list": "список", "dict": "набор полей", "bool": "да/нет", "date": "дата"}


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
            message = f"{path.name}: не удалось прочитать файл ({exc.strerror or exc})"
            raise KnowledgeBaseError(message, path) from exc
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{path.name}: {_yaml_problem(exc)}", path) from exc
        if not isinstance(data, Mapping):
            message = (
                f"{path.name}: файл должен состоять из полей вида «имя: значение» "
                "(например, «entries:»), а не начинаться со списка или текста"
            )
            raise KnowledgeBaseError(message, path)
        return cls(path, data)

    def fail(self, entry_id: str | None, message: str) -> NoReturn:
        where = f"{self.path.name}, запись «{entry_id}»" if entry_id else self.path.name
        raise KnowledgeBaseError(f"{where}: {message}", self.path, entry_id)

    def _get(self, raw: Mapping[str, object], key: str, eid: str | None, required: bool) -> object:
        value = raw.get(key)
        if value is None and required:
            self.fail(eid, f"поле {key} не заполнено — добавьте его")
        return value

    def text(self, raw: Mapping[str, object], key: str, eid: str | None) -> str:
        value = self._get(raw, key, eid, True)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            kind = KINDS.get(type(value).__name__, type(value).__name__)
            hint = "" if isinstance(value, list | dict) else " — возьмите значение в кавычки"
            self.fail(eid, f"поле {key} должно быть текстом, а здесь {kind}{hint}")
        text = str(value).strip()
        if not text:
            self.fail(eid, f"поле {key} пустое — заполните его")
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
            self.fail(
                eid, f"поле {key} должно быть списком: каждый пункт с новой строки после «- »"
            )
        return tuple(self.text({key: item}, key, eid) for item in value)

    def mappings(
        self, raw: Mapping[str, object], key: str, eid: str | None = None, *, required: bool = True
    ) -> list[Mapping[str, object]]:
        value = self._get(raw, key, eid, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.fail(eid, f"поле {key} должно быть списком записей вида «- имя: значение»")
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
            example = "2025-01-31 (год-месяц-день)"
            self.fail(eid, f"поле {key} должно быть датой вида {example}, а здесь «{value}»")

    def only(self, raw: Mapping[str, object], allowed: frozenset[str], eid: str | None) -> None:
        """Unknown keys are typos of optional fields («link:», «relatd:»): refuse them."""
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            what = "неизвестное поле" if len(unknown) == 1 else "неизвестные поля"
            expected = ", ".join(sorted(allowed))
            self.fail(
                eid, f"{what} {', '.join(unknown)} — проверьте написание; бывают поля: {expected}"
            )

    def unique(self, ids: list[str], whose: str) -> None:
        """`whose`: the records in the genitive («раздела», «шаблона») for the message."""
        seen: set[str] = set()
        for item in ids:
            if item in seen:
                self.fail(item, f"такой id уже есть выше — у каждого {whose} id должен быть свой")
            seen.add(item)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where the YAML syntax breaks and what to check there, in Russian (`yaml_problems`)."""
    line, hint = yaml_problems.describe(exc)
    return f"файл не читается как YAML: строка {line} — {hint}"
