"""Phone numbers and e-mails as people type them, normalised for staff to call back."""

from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-zа-я]{2,}$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^[\d\s()+\-.]{7,25}$")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


def visible(text: str) -> str:
    """Without invisible format characters: a number copied from a phone's contact card comes
    wrapped in direction marks (U+202D … U+202C), a pasted one may hold a zero-width space."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def normalize_phone(text: str) -> str | None:
    """Russian mobile/landline numbers in any common format → «+7 900 123-45-67». Dashes
    as documents and phone apps write them («–», «‑») count as hyphens."""
    text = visible(text)
    if not _PHONE_CHARS.match(text.strip().translate(_DASHES)):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    elif len(digits) != 10:
        return None
    if digits[0] not in "3489":  # Russian area and mobile codes start with 3, 4, 8 or 9
        return None
    return f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


def normalize_contact(text: str) -> str | None:
    """A phone (normalised) or an e-mail (lower-cased); None when it is neither."""
    value = visible(text).strip()
    if "@" in value:
        return value.lower() if _EMAIL.match(value) and len(value) <= 200 else None
    return normalize_phone(value)
