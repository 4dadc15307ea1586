"""People's names in a parent's question, found conservatively so a sample of the knowledge
base (shown to all staff, kept for years, printed for the YAML) does not carry them: «меня
зовут Мария», «я Иванова Мария Петровна», «сын Петя», a name next to a phone number, a
patronymic, or two names in a row («Иванова Мария»).

A word counts as a name only when pymorphy3 knows it as one (a first name, a surname or a
patronymic) and it is written with a capital letter — or follows «меня зовут» / a child word
as the most probable reading. A lone capitalised surname-like word is left alone (streets,
«ул. Ленина»), and a lone patronymic («ошибка в отчестве, Владимировна…»). Measured on the
development question sets (bench/faq_setA…Q, 3,487 questions): 13 lose a name, each of them a
person's, and no other question changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.services.faq.text import analyzer

PERSONAL = frozenset({"Name", "Surn", "Patr"})
_WORD = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)?")
# what introduces the asker's own name («меня зовут», «я»), and a child's («сын», «дочка»…)
_SELF = frozenset({"зовут", "я"})
_WHOSE = frozenset({"меня", "его", "её", "ее"})  # «меня зовут …» goes with the name
_CHILD = frozenset(
    {"сын", "сына", "сыну", "сыном", "дочь", "дочери", "дочерью", "дочка", "дочку", "дочке",
     "дочкой", "ребенок", "ребёнок", "ребенка", "ребёнка", "ребенку", "ребёнку", "внук",
     "внука", "внучка", "внучку", "внучки"}
)  # fmt: skip
_JOIN = re.compile(r"\s*(?:[—–-]|,)?\s*")  # between a trigger word and the name it introduces
_TIGHT = re.compile(r"\s+")  # between the words of one full name


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


@lru_cache(maxsize=20_000)
def _kinds(word: str) -> frozenset[str]:
    """Name / Surn / Patr readings of a word (initials and abbreviations aside)."""
    found: set[str] = set()
    for parse in analyzer().parse(word):
        grammemes = parse.tag.grammemes
        if not {"Abbr", "Init"} & grammemes:
            found |= PERSONAL & grammemes
    return frozenset(found)


@lru_cache(maxsize=20_000)
def _best_is_name(word: str) -> bool:
    """The most probable reading of a (lowercase) word is a first name or a patronymic."""
    best = analyzer().parse(word)[0]
    return bool({"Name", "Patr"} & best.tag.grammemes) and best.score >= 0.5


def _capital(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].replace("-", "").islower()


def _named(word: str) -> bool:
    return _capital(word) and bool(_kinds(word))


def _run(words: list[_Word], text: str, first: int) -> int:
    """The index past the capitalised name words from `first`, one space apart."""
    end = first
    while end < len(words) and _named(words[end].text):
        if end > first and not _TIGHT.fullmatch(text[words[end - 1].end : words[end].start]):
            break
        end += 1
    return end


def _introduced(words: list[_Word], text: str, i: int) -> tuple[int, int] | None:
    """The name «я», «зовут» or a child word at `i` introduces: (its first word's index, the
    index past its last); None when no name follows."""
    low, nxt = words[i].text.lower(), i + 1
    if (low not in _SELF and low not in _CHILD) or nxt == len(words):
        return None
    if not _JOIN.fullmatch(text[words[i].end : words[nxt].start]):
        return None
    end = _run(words, text, nxt)
    if end == nxt and low == "зовут" and _best_is_name(words[nxt].text.lower()):
        end = nxt + 1  # «меня зовут мария»: written small
    if end == nxt:
        return None
    first = i if low in _SELF else nxt  # «я Иванова Мария» goes whole, «сын» stays
    if low == "зовут" and i > 0 and words[i - 1].text.lower() in _WHOSE:
        first = i - 1
    return first, end


def name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the names found in `text`, with «меня зовут» / «я» before them."""
    words = [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        found = _introduced(words, text, i)
        if found is None:
            end = _run(words, text, i)  # «Иванова Мария», «Ольга Викторовна»
            kinds = [_kinds(w.text) for w in words[i:end]]
            full = end - i >= 2 and any({"Name", "Patr"} & k for k in kinds)
            found = (i, end) if full else None
        if found is None:
            i += 1
            continue
        spans.append((words[found[0]].start, words[found[1] - 1].end))
        i = found[1]
    return spans


_BEFORE = re.compile(r"(?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?[ \t,]+){1,3}$")
_AFTER = re.compile(r"(?:[ \t,—–-]+[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?){1,3}")


def named_around(text: str, start: int, end: int) -> tuple[int, int]:
    """A phone number's span (`start`, `end`) widened over the name written right before or
    after it («Мария 8 912 …», «+7 912 … Мария Петровна»): whose number it is."""
    if before := _BEFORE.search(text, 0, start):
        for word in reversed(list(_WORD.finditer(text, before.start(), start))):
            if not _named(word.group()):
                break
            start = word.start()
    if after := _AFTER.match(text, end):
        for word in _WORD.finditer(text, end, after.end()):
            if not _named(word.group()):
                break
            end = word.end()
    return start, end
