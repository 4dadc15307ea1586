"""A parent's question becomes a sample of the knowledge base («➕ В базу»): the sample is shown in
the web panel and kept for years, so the parent's phone number, e-mail or name must not go in
with it. They are cut out of the wording (the question stays recognisable without them) and
staff are told so. Names are cut only where they are unmistakable (bot.services.faq.names):
a wrong guess would cut the words that make the question.

`strip_contacts` is the one place that decides; callers keep both of its results.
"""

from __future__ import annotations

import re

from bot.services.faq.names import name_spans, named_around
from bot.texts import faq_learn as t

# a phone or a document number: 10-15 digits with spaces, hyphens or brackets between them
# («+7 (900) 123-45-67», «89001234567»), or a city number «123-45-67»; «2024-2025» is a year
_DIGITS = r"\+?\d(?:[ \t()\-]*\d){9,14}"
# a mobile number written with dots «8.912.345.67.89» (a date «01.09.2024 10.30» is not one)
_DOTTED = r"(?:\+7|8)[ .]?\(?\d{3}\)?[ .]?\d{3}[ .]?\d{2}[ .]?\d{2}"
_LABEL = r"(?:(?:тел|моб|сот|т)\.?[ \t]*:?|тел(?:ефон)?[ \t]*:)[ \t]*"  # «тел.», «моб.», «т.»
_EXTENSION = r"(?:[ \t,]*\(?доб(?:авочный)?\.?[ \t]*\d{1,5}\)?)?"  # «доб. 12», «(доб. 123)»
_LONG_NUMBER = re.compile(
    rf"(?<![\w+.])(?:{_LABEL})?(?:{_DOTTED}|{_DIGITS}){_EXTENSION}(?![\w.]\d)(?!\w)",
    re.IGNORECASE,
)
_CITY_PHONE = re.compile(
    rf"(?<![\w-])(?:{_LABEL})?\d{{3}}-\d{{2}}-\d{{2}}{_EXTENSION}(?![\w-])", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]} {text[end:]}"
    return text


def _phones(question: str) -> tuple[str, bool, bool]:
    """The question without phone numbers, and with them the name written next to one
    («+7 912 345 67 89 Мария»: whose number it is); whether a number, a name was cut."""
    found = [m.span() for p in (_LONG_NUMBER, _CITY_PHONE) for m in p.finditer(question)]
    spans = [named_around(question, *span) for span in found]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # one number may be found by both patterns
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return _cut(question, merged), bool(merged), spans != found


def strip_contacts(question: str) -> tuple[str, tuple[str, ...]]:
    """The question without phone numbers, e-mails and names, and a note per kind cut out."""
    notes: list[str] = []
    question, mails = _EMAIL.subn(" ", question)
    if mails:
        notes.append(t.CUT_EMAIL)
    question, phones, named = _phones(question)
    if phones:
        notes.append(t.CUT_PHONE)
    names = name_spans(question)
    question = _cut(question, names)
    if names or named:
        notes.append(t.CUT_NAME)
    question = re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(question.split()))
    question = re.sub(r"[,;:](?=[,;:.!?])", "", question)  # «Маша, <phone>: …» → «Маша: …»
    question = re.sub(r"([.!?])[,;:]", r"\1", question)  # «уважаемые!, я» → «уважаемые! я»
    question = re.sub(r"^[,;:—–\-\s]+", "", question)  # «Иванова Мария, как …» → «как …»
    return question.strip(" ,;:-—"), tuple(notes)
