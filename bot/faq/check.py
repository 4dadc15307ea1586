"""Editorial checks of the knowledge base, run in CI and by `/reload_faq` before a swap.

The loader only guarantees the shape of the data; these checks catch what would break or
mislead in Telegram: placeholders the settings do not define, HTML Telegram rejects, answers
over the 4096-character message limit, dead `related` links, too few sample questions for the
matcher, and answers nobody has re-read for a year.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from bot.faq.html_check import html_errors
from bot.faq.kb import (
    FaqEntry,
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
    render_text,
)
from bot.faq.text import normalize

__all__ = ["MESSAGE_LIMIT", "Problem", "check_directory", "check_knowledge_base"]

MESSAGE_LIMIT = 4096
MIN_QUESTIONS = 3
ENOUGH_QUESTIONS = 5
STALE_AFTER = timedelta(days=365)


@dataclass(frozen=True)
class Problem:
    level: Literal["error", "warning"]
    file: str
    entry_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry_id}" if self.entry_id else self.file
        return f"{self.level.upper()} {where}: {self.message}"


def _fields(template: str) -> Iterator[str]:
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            yield name


def _render(template: str, placeholders: Mapping[str, str], *, escape: bool) -> tuple[str, str]:
    """(rendered text, error); unknown placeholders are reported, not raised."""
    try:
        unknown = sorted({n for n in _fields(template) if n not in placeholders})
    except ValueError as exc:
        return "", f"bad braces ({exc}); write {{{{ and }}}} for literal braces"
    if unknown:
        return "", "unknown placeholder(s) " + ", ".join(f"{{{n}}}" for n in unknown)
    try:
        return render_text(template, placeholders, escape=escape), ""
    except (KeyError, ValueError, IndexError, AttributeError) as exc:
        return "", f"cannot fill placeholders ({exc!r})"


def _message_errors(text: str, placeholders: Mapping[str, str], what: str) -> Iterator[str]:
    rendered, error = _render(text, placeholders, escape=True)
    if error:
        yield f"{what}: {error}"
        return
    if len(rendered) > MESSAGE_LIMIT:
        yield f"{what} is {len(rendered)} characters after rendering (Telegram limit 4096)"
    for problem in html_errors(rendered):
        yield f"{what}: invalid Telegram HTML: {problem}"


def _entry_errors(
    entry: FaqEntry, kb: KnowledgeBase, placeholders: Mapping[str, str]
) -> Iterator[str]:
    yield from _message_errors(entry.answer, placeholders, "answer")
    for link in entry.links:
        url, error = _render(link.url, placeholders, escape=False)
        title_error = _render(link.title, placeholders, escape=False)[1]
        if error or title_error:
            yield f"link {link.title!r}: {error or title_error}"
        elif not url.startswith(("http://", "https://")) or " " in url:
            yield f"link {link.title!r}: url {url!r} is not an http(s) address"
    for rid in entry.related:
        if rid not in kb.entries:
            yield f"related id {rid!r} does not exist"
    if len(entry.questions) < MIN_QUESTIONS:
        yield f"only {len(entry.questions)} sample question(s); at least {MIN_QUESTIONS} needed"


def _entry_warnings(entry: FaqEntry, today: date) -> Iterator[str]:
    if entry.checked < today - STALE_AFTER:
        yield f"answer last checked on {entry.checked:%Y-%m-%d}, over a year ago"
    if entry.checked > today:
        yield f"checked date {entry.checked:%Y-%m-%d} is in the future"
    if MIN_QUESTIONS <= len(entry.questions) < ENOUGH_QUESTIONS:
        yield f"only {len(entry.questions)} sample questions; {ENOUGH_QUESTIONS}+ match better"
    if entry.id in entry.related:
        yield "entry lists itself in related"


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
            message = f"sample question {question!r} also belongs to {first[1]!r} ({first[0]})"
            yield Problem("error", file, owner, message)


def check_knowledge_base(
    kb: KnowledgeBase, placeholders: Mapping[str, str], today: date
) -> list[Problem]:
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


def check_directory(
    directory: Path | None, placeholders: Mapping[str, str], today: date
) -> list[Problem]:
    """Load and check; a loader failure (duplicate id, bad date...) becomes one error."""
    try:
        kb = load_knowledge_base(directory)
    except KnowledgeBaseError as exc:
        file = exc.file.name if exc.file else str(directory or "faq_data")
        return [Problem("error", file, exc.entry_id, str(exc))]
    return check_knowledge_base(kb, placeholders, today)
