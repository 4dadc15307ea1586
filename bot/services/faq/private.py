"""A parent's question becomes a sample of the knowledge base («➕ В базу»): the sample is shown in
the web panel and kept for years, so the parent's phone number or e-mail must not go in with it.
They are cut out of the wording (the question stays recognisable without them) and staff are
told so. Names are not guessed at: a wrong guess would cut the words that make the question.
"""

from __future__ import annotations

import re

from bot.texts import faq_learn as t

# a phone or a document number: 10-15 digits with spaces, hyphens or brackets between them
# («+7 (900) 123-45-67», «89001234567»), or a city number «123-45-67»; «2024-2025» is a year
_LONG_NUMBER = re.compile(r"(?<![\w+])\+?\d(?:[ \t()\-]*\d){9,14}(?!\w)")
_CITY_PHONE = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{2}(?![\w-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def strip_contacts(question: str) -> tuple[str, tuple[str, ...]]:
    """The question without phone numbers and e-mails, and a note per kind cut out."""
    notes: list[str] = []
    for pattern, note in (
        (_EMAIL, t.CUT_EMAIL),
        (_LONG_NUMBER, t.CUT_PHONE),
        (_CITY_PHONE, t.CUT_PHONE),
    ):
        question, cut = pattern.subn(" ", question)
        if cut and note not in notes:
            notes.append(note)
    question = re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(question.split()))
    question = re.sub(r"[,;:](?=[,;:])", "", question)  # «Маша, <phone>: …» → «Маша: …»
    return question.strip(" ,;:-"), tuple(notes)
