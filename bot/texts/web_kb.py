"""The knowledge-base checker's messages as the panel's editor shows them: the checker writes
for people editing YAML («поле answer», «в related»), the page puts each message by its field,
so the YAML names become the fields' Russian names (plain text: the page escapes it)."""

from __future__ import annotations

import re
from typing import Final

MODELS: Final = {"pfdo": "ПФДО", "social": "социальный сертификат"}
# (pattern, replacement) in order; \1 of the first ones is a certificate model or nothing
REWORDED: Final = (
    (re.compile(r"длина поля answer(?: \((\w+)\))?"), "длина ответа{model}"),
    (re.compile(r"поле answer(?: \((\w+)\))?"), "ответ{model}"),
    (re.compile(r"примеров вопросов в questions"), "примеров вопросов"),
    (re.compile(r"в related указана статья"), "в связанных статьях указана статья"),
    (
        re.compile(r"статья ссылается в related сама на себя — уберите её id из related"),
        "статья указана связанной сама с собой — уберите её id из связанных статей",
    ),
)
WITH_MODEL: Final = " (при модели сертификата «{name}»)"


def for_page(message: str) -> str:
    """`message` of bot.services.faq.check with the YAML field names in Russian."""
    for pattern, replacement in REWORDED:

        def put(found: re.Match[str], replacement: str = replacement) -> str:
            model = found.group(1) if found.re.groups else None
            name = MODELS.get(model or "", model or "")
            return replacement.format(model=WITH_MODEL.format(name=name) if name else "")

        message = pattern.sub(put, message)
    return message
