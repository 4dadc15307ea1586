"""Normalising Russian as parents actually type it: typos, slang, word forms, no punctuation.

Questions reach the bot as «сертефикат на кружки как активироват??» — so text is lowercased,
ё→е, stripped of punctuation and emoji, lemmatised with pymorphy3 (cached: it is the hot path),
folded through a synonym table, and words unknown to the dictionary or to the knowledge base are
corrected to the nearest KB word. Both the index and the query go through the same pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.services.faq.lexicon import (
    AGE_UNIT,
    AGE_WORD,
    FUNCTION_POS,
    PHRASES,
    QUESTION_WORDS,
    STOP_WORDS,
    SYNONYMS,
)

__all__ = [
    "Analysis",
    "Vocabulary",
    "analyze",
    "clear_caches",
    "is_known",
    "lemmatize",
    "max_typos",
    "normalize",
    "tokenize",
]

_NOT_WORD = re.compile(r"[^0-9a-zа-я]+")
CORRECTION_CACHE_SIZE = 50_000
MAX_AGE = 17  # a child's age; «18 лет» is where the certificate ends, a topic of its own


def normalize(text: str) -> str:
    """Lowercase, ё→е, every run of punctuation/emoji/space becomes one space; a message in
    Latin letters only is read as Russian typed in translit («kruzhok shahmaty est?»)."""
    plain = _NOT_WORD.sub(" ", text.lower().replace("ё", "е")).strip()
    return from_translit(plain) if _TRANSLIT_ONLY.fullmatch(plain) else plain


# «Zdravstvuyte, kruzhok shahmaty est?»: a phone without a Russian keyboard, or a parent used
# to writing so. Informal translit has no standard: the common spellings, longest first.
_TRANSLIT_ONLY = re.compile(r"(?=.*[a-z]{3})[a-z0-9 ]+")
_TRANSLIT = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("tz", "ц"),
    ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("iu", "ю"), ("ya", "я"), ("ia", "я"),
    ("yo", "е"), ("jo", "е"), ("ye", "е"), ("je", "е"), ("ju", "ю"), ("ja", "я"),
    ("x", "кс"), ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"),
    ("e", "е"), ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("q", "к"), ("l", "л"),
    ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"),
)  # fmt: skip
_LETTERS = dict(_TRANSLIT)
_TRANSLIT_PART = re.compile("|".join(a for a, _ in _TRANSLIT) + "|y|.")  # anything else as is
_VOWELS = frozenset("аеиоуыэюя")


def from_translit(text: str) -> str:
    """Latin letters to Cyrillic; «y» is «й» after a vowel («zdravstvuyte»), else «ы»."""
    out: list[str] = []
    for piece in _TRANSLIT_PART.findall(text):
        if piece == "y":
            piece = "й" if out and out[-1][-1:] in _VOWELS else "ы"
        out.append(_LETTERS.get(piece, piece))
    return "".join(out)


def tokenize(text: str) -> list[str]:
    """Normalised words: «Сертификат ПФДО — что это?!» -> ["сертификат", "пфдо", "что", "это"]."""
    return normalize(text).split()


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def analyzer() -> pymorphy3.MorphAnalyzer:
    """The one pymorphy3 analyser of the process (its dictionaries load once)."""
    return _morph()


@lru_cache(maxsize=100_000)
def _parse(word: str) -> tuple[str, str | None]:
    """(lemma with ё folded to е, part of speech) of the most probable reading."""
    if not word.isalpha():
        return word, None
    best = _morph().parse(word)[0]
    return str(best.normal_form).replace("ё", "е"), best.tag.POS


def lemmatize(word: str) -> str:
    """The most probable normal form of one normalised token."""
    return _parse(word)[0]


@lru_cache(maxsize=100_000)
def is_known(word: str) -> bool:
    """Whether pymorphy3's dictionary has the word (unknown words are typo candidates)."""
    return word.isdigit() or bool(_morph().word_is_known(word))


def clear_caches() -> None:
    """Forget cached lemmas (for benchmarks that measure a cold start)."""
    _parse.cache_clear()
    is_known.cache_clear()


def max_typos(word: str, known: bool) -> int:
    """How many edits a correction may make: none for short words, fewer for real words."""
    if len(word) < 5 or not word.isalpha():
        return 0
    if known:
        return 1 if len(word) >= 7 else 0
    return 2 if len(word) >= 7 else 1


def _repair(word: str) -> str:
    """The commonest Russian verb typo: a lost soft sign, «записатся» for «записаться»."""
    if word.endswith("тся") and not is_known(word) and is_known(word[:-3] + "ться"):
        return word[:-3] + "ться"
    return word


def _canonical(word: str) -> tuple[str, ...]:
    """Synonym folding on the surface form first (slang), then on the lemma."""
    word = _repair(word)
    if word in SYNONYMS:
        return SYNONYMS[word]
    lemma = lemmatize(word)
    if lemma in SYNONYMS:
        return SYNONYMS[lemma]
    if not is_known(word):  # inflected slang: «серта», «на серте», «в навике»
        for cut in (1, 2):
            if len(word) - cut >= 3 and word[:-cut] in SYNONYMS:
                return SYNONYMS[word[:-cut]]
    return (lemma,)


class Vocabulary:
    """Words of one knowledge base, for typo correction; corrections are cached per instance."""

    def __init__(self, texts: Iterable[str]) -> None:
        targets: dict[str, tuple[str, ...]] = {w: SYNONYMS.get(w, (w,)) for w in STOP_WORDS}
        targets.update(SYNONYMS)
        typos = []
        for word in sorted({w for text in texts for w in tokenize(text) if w.isalpha()}):
            canonical = _canonical(word)
            if is_known(word) or canonical != (lemmatize(word),):
                targets.setdefault(word, canonical)
                targets.setdefault(lemmatize(word), canonical)
            else:
                typos.append(word)
        self._cache: dict[str, tuple[str, ...] | None] = {}
        self._use(targets)
        for word in typos:  # the KB's own samples have typos too: map them to real words
            targets.setdefault(word, self._nearest(word) or _canonical(word))
        self._use(targets)

    def _use(self, targets: dict[str, tuple[str, ...]]) -> None:
        self.lemmas = frozenset(lemma for forms in targets.values() for lemma in forms)
        self._targets = dict(targets)
        self._choices = sorted(targets, key=lambda w: (len(w), w))

    def correct(self, word: str) -> tuple[str, ...] | None:
        """The KB lemmas a misspelt token most likely stands for, or None."""
        if word not in self._cache:
            if len(self._cache) >= CORRECTION_CACHE_SIZE:
                self._cache.clear()  # bounded: every message can bring new misspellings
            self._cache[word] = self._nearest(word)
        return self._cache[word]

    def _nearest(self, word: str) -> tuple[str, ...] | None:
        limit = max_typos(word, is_known(word))
        if limit == 0:
            return None
        found = process.extractOne(
            word, self._choices, scorer=Levenshtein.distance, score_cutoff=limit
        )
        return None if found is None else self._targets[found[0]]


@dataclass(frozen=True)
class Analysis:
    """`lemmas`: every canonical lemma in order; `content`: the same without stop words."""

    lemmas: tuple[str, ...]
    content: tuple[str, ...]


def _merge_phrases(items: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for lemma, function in items:
        if out and (out[-1][0], lemma) in PHRASES:
            out[-1] = (PHRASES[out[-1][0], lemma], False)
        else:
            out.append((lemma, function))
    return out


def _function_word(word: str) -> bool:
    """Prepositions, conjunctions, particles, interjections, pronouns: grammar, not topic."""
    return _parse(word)[1] in FUNCTION_POS


def _resolve(word: str, vocabulary: Vocabulary | None) -> tuple[str, ...]:
    forms = _canonical(word)
    if vocabulary is None or all(f in vocabulary.lemmas for f in forms):
        return forms
    return vocabulary.correct(word) or forms


def _is_age(previous: str, lemmas: tuple[str, ...]) -> bool:
    """«5 лет», «4 года» name a child's age; «2025 год» does not."""
    return previous.isdigit() and int(previous) <= MAX_AGE and lemmas[-1:] == (AGE_UNIT,)


def analyze(text: str, vocabulary: Vocabulary | None = None) -> Analysis:
    """Lemmas of `text`; with a vocabulary, out-of-KB words are corrected to KB words."""
    items: list[tuple[str, bool]] = []
    previous = ""
    for word in tokenize(text):
        function = _function_word(word)
        lemmas = _resolve(word, vocabulary)
        items.extend((lemma, function) for lemma in lemmas)
        if _is_age(previous, lemmas):
            items.append((AGE_WORD, False))
        previous = word
    merged = _merge_phrases(items)
    content = tuple(
        lemma
        for lemma, function in merged
        if lemma not in STOP_WORDS and (not function or lemma in QUESTION_WORDS)
    )
    return Analysis(tuple(lemma for lemma, _ in merged), content)
