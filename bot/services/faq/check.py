"""Editorial checks of the knowledge base, run in CI and by `/reload_faq` before a swap.

The loader only guarantees the shape of the data; these checks catch what would break or
mislead in Telegram: placeholders the settings do not define, HTML Telegram rejects, answers
over the 4096-character message limit, dead `related` links, too few sample questions for the
matcher, and answers nobody has re-read for a year. Messages are in Russian for the staff who
edit the YAML: each says what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from bot.core.html_check import html_errors
from bot.core.markup import visible_len
from bot.core.template import TemplateError, Values, condition_names, fields
from bot.services.faq.kb import (
    FaqEntry,
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
    render_text,
)
from bot.services.faq.text import normalize

__all__ = [
    "MESSAGE_LIMIT",
    "Problem",
    "answer_errors",
    "check_directory",
    "check_knowledge_base",
]

MESSAGE_LIMIT = 4096
MODELS = ("pfdo", "social")
MIN_QUESTIONS = 3
ENOUGH_QUESTIONS = 5
STALE_AFTER = timedelta(days=365)
LEVEL_WORDS = {"error": "ОШИБКА", "warning": "ПРЕДУПРЕЖДЕНИЕ"}
TYPO = "проверьте написание"
TAG = re.compile(r"<[^>]*>")
BAD_BRACES = (
    "непарная фигурная скобка — в {} пишут только имя плейсхолдера, например {navigator_url}; "
    "если скобка нужна в самом тексте, напишите её дважды: {{ или }}"
)
NOTHING_LEFT = (
    "после подстановки ответ пуст: строка с незаданной настройкой региона выпадает целиком "
    "(здесь — весь текст), и родитель получил бы пустое сообщение. Напишите ответ так, чтобы он "
    "читался и без неё, например: [[if moc_phone]]Позвоните: {moc_phone}[[else]]Уточните в "
    "МОЦ.[[end]]"
)
BAD_FIELD = (
    "не удалось подставить значение — в фигурных скобках должно быть только имя плейсхолдера, "
    "например {navigator_url}, без точек, цифр и квадратных скобок"
)


@dataclass(frozen=True)
class Problem:
    level: Literal["error", "warning"]
    file: str
    entry_id: str | None
    message: str

    @property
    def label(self) -> str:
        """«ОШИБКА» or «ПРЕДУПРЕЖДЕНИЕ»."""
        return LEVEL_WORDS[self.level]

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry_id}" if self.entry_id else self.file
        return f"{self.label} {where}: {self.message}"


def _render(template: str, placeholders: Values, *, escape: bool) -> tuple[str, str]:
    """(rendered text, error); unknown placeholders are reported, not raised."""
    try:
        used = set(fields(template)) | set(condition_names(template))
    except ValueError:
        return "", BAD_BRACES
    unknown = sorted(n for n in used if n not in placeholders)
    if unknown:
        names = ", ".join(f"{{{n}}}" for n in unknown)
        if len(unknown) == 1:
            return "", f"неизвестный плейсхолдер {names}: его нет в настройках региона — {TYPO}"
        return "", f"неизвестные плейсхолдеры {names}: их нет в настройках региона — {TYPO}"
    try:
        return render_text(template, placeholders, escape=escape), ""
    except TemplateError as exc:
        return "", str(exc)
    except (KeyError, ValueError, IndexError, AttributeError):
        return "", BAD_FIELD


def _variants(placeholders: Values) -> list[tuple[Values, str]]:
    """These settings and the other certificate model: a slip inside a
    `[[if certificate_model=social]]` block must fail CI in a ПФДО region too."""
    model = placeholders.get("certificate_model")
    if model not in MODELS:
        return [(placeholders, "")]
    other = next(m for m in MODELS if m != model)
    return [(placeholders, ""), ({**placeholders, "certificate_model": other}, f" ({other})")]


def _message_errors(text: str, placeholders: Values, what: str) -> Iterator[str]:
    seen: set[str] = set()
    for values, variant in _variants(placeholders):
        rendered, error = _render(text, values, escape=True)
        if error:
            yield f"поле {what}: {error}"
            return
        if not TAG.sub("", rendered).strip():
            yield f"поле {what}{variant}: {NOTHING_LEFT}"
            return
        if (shown := visible_len(rendered)) > MESSAGE_LIMIT:  # as Telegram counts: no tags
            yield (
                f"длина поля {what}{variant} после подстановки — {shown} при пределе "
                f"Telegram в {MESSAGE_LIMIT} символов: сократите текст или разделите его на "
                "две статьи"
            )
        for problem in html_errors(rendered):
            if problem not in seen:
                seen.add(problem)
                yield f"поле {what}{variant}, разметка HTML: {problem}"


def answer_errors(text: str, placeholders: Values) -> list[str]:
    """What the whole-base check would say about this answer alone: a chat dialog asks for a
    fixed answer at once instead of refusing the finished entry (and losing what was typed)."""
    return list(_message_errors(text, placeholders, "answer"))


def _entry_errors(entry: FaqEntry, kb: KnowledgeBase, placeholders: Values) -> Iterator[str]:
    yield from _message_errors(entry.answer, placeholders, "answer")
    for link in entry.links:
        url, error = _render(link.url, placeholders, escape=False)
        title_error = _render(link.title, placeholders, escape=False)[1]
        if error or title_error:
            yield f"ссылка «{link.title}»: {error or title_error}"
        elif url and (not url.startswith(("http://", "https://")) or " " in url):
            yield (
                f"ссылка «{link.title}»: адрес «{url}» — не адрес сайта; он должен начинаться "
                "с https:// (или http://) и быть без пробелов"
            )
    for rid in entry.related:
        if rid not in kb.entries:
            yield f"в related указана статья «{rid}», но статьи с таким id нет — проверьте id"
    if len(entry.questions) < MIN_QUESTIONS:
        yield (
            f"примеров вопросов в questions: {len(entry.questions)}, а нужно не меньше "
            f"{MIN_QUESTIONS} — добавьте, как люди спрашивают на самом деле"
        )


def _entry_warnings(entry: FaqEntry, today: date) -> Iterator[str]:
    if entry.checked < today - STALE_AFTER:
        yield (
            f"ответ последний раз проверяли {entry.checked:%Y-%m-%d}, больше года назад — "
            "перечитайте его и поставьте в checked сегодняшнюю дату"
        )
    if entry.checked > today:
        yield (
            f"дата в checked ({entry.checked:%Y-%m-%d}) ещё не наступила — "
            "поставьте дату, когда ответ действительно проверили"
        )
    if MIN_QUESTIONS <= len(entry.questions) < ENOUGH_QUESTIONS:
        yield (
            f"примеров вопросов в questions: {len(entry.questions)}; с {ENOUGH_QUESTIONS} "
            "и больше бот узнаёт вопрос надёжнее — добавьте ещё"
        )
    if entry.id in entry.related:
        yield "статья ссылается в related сама на себя — уберите её id из related"


def _duplicate_questions(kb: KnowledgeBase) -> Iterator[Problem]:
    owners: dict[str, tuple[str, str]] = {}  # normalised question -> (file, owner id)
    samples = [
        (kb.source_of(e.id).name, e.id, q) for e in kb.entries.values() for q in e.questions
    ]
    intents = kb.smalltalk + kb.offtopic
    samples += [(kb.intents_file.name, i.id, q) for i in intents for q in i.questions]
    for file, owner, question in samples:
        key = normalize(question)
        first = owners.setdefault(key, (file, owner))
        if first[1] != owner:
            message = (
                f"пример вопроса «{question}» уже есть у «{first[1]}» ({first[0]}) — "
                "одинаковый вопрос не может вести к двум ответам, оставьте его в одном месте"
            )
            yield Problem("error", file, owner, message)


def check_knowledge_base(kb: KnowledgeBase, placeholders: Values, today: date) -> list[Problem]:
    """All problems, errors first; the bot should refuse to (re)load when any is an error."""
    problems: list[Problem] = []
    for entry in kb.entries.values():
        file = kb.source_of(entry.id).name
        problems += [
            Problem("error", file, entry.id, m) for m in _entry_errors(entry, kb, placeholders)
        ]
        problems += [Problem("warning", file, entry.id, m) for m in _entry_warnings(entry, today)]
    for intent in kb.smalltalk + kb.offtopic:
        for message in _message_errors(intent.reply, placeholders, "reply"):
            problems.append(Problem("error", kb.intents_file.name, intent.id, message))
    problems += _duplicate_questions(kb)
    return sorted(problems, key=lambda p: p.level != "error")


def check_directory(directory: Path | None, placeholders: Values, today: date) -> list[Problem]:
    """Load and check; a loader failure (duplicate id, bad date...) becomes one error."""
    try:
        kb = load_knowledge_base(directory)
    except KnowledgeBaseError as exc:
        file = exc.file.name if exc.file else str(directory or "faq_data")
        return [Problem("error", file, exc.entry_id, str(exc))]
    return check_knowledge_base(kb, placeholders, today)
