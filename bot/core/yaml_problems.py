"""PyYAML's syntax errors told in Russian with the line a person finds in their editor.

The events import and the knowledge-base check showed PyYAML's English («mapping values are
not allowed here») to staff who do not read it; each common mistake gets its own hint, any
other one a general hint.
"""

from __future__ import annotations

from typing import Final

import yaml

UNCLOSED_QUOTE: Final = "не закрыта кавычка (она открыта в этой строке)"
UNCLOSED_LIST: Final = "не закрыта квадратная скобка «[» (она открыта в этой строке)"
UNCLOSED_MAP: Final = "не закрыта фигурная скобка «{» (она открыта в этой строке)"
OPENED: Final = (UNCLOSED_QUOTE, UNCLOSED_LIST, UNCLOSED_MAP)  # told where it opens
# (words in PyYAML's problem or context, the hint): the first that matches is told
HINTS: Final = (
    ("quoted scalar", UNCLOSED_QUOTE),
    (
        "mapping values are not allowed",
        (
            "двоеточие не на месте: проверьте отступ этой строки или возьмите значение с «:» "
            "в кавычки"
        ),
    ),
    ("could not find expected ':'", "после названия поля нужно двоеточие: «поле: значение»"),
    ("'\\t'", "отступ сделан табуляцией — делайте отступы пробелами"),
    (
        "cannot start any token",
        "значение не может начинаться с «@» или «`» — возьмите его в кавычки",
    ),
    ("flow sequence", UNCLOSED_LIST),
    ("flow mapping", UNCLOSED_MAP),
    (
        "expected <block end>",
        (
            "отступ не совпадает с соседними строками: поля одного мероприятия пишите с одним "
            "отступом, каждое мероприятие начинайте с «- »"
        ),
    ),
    ("undefined alias", "значение начинается со «*» — возьмите его в кавычки"),
    ("anchor", "значение начинается с «&» — возьмите его в кавычки"),
    ("constructor for the tag", "значение начинается с «!» — возьмите его в кавычки"),
)
GENERAL: Final = "файл не читается — проверьте отступы, двоеточия, кавычки и скобки"


def describe(exc: yaml.YAMLError) -> tuple[int, str]:
    """(line, Russian hint) of a YAML error; an unclosed quote or bracket is shown where it
    opens (PyYAML marks where the file ended)."""
    said = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    hint = next((h for words, h in HINTS if words in said), GENERAL)
    mark = getattr(exc, "context_mark", None) if hint in OPENED else None
    mark = mark or getattr(exc, "problem_mark", None)
    return (mark.line + 1 if mark is not None else 1), hint
