"""Phone numbers and e-mails as people type them, normalised for staff to call back."""

from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-zа-я]{2,}$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^[0-9\s()+\-.]{7,25}$")  # ASCII digits: «٩» is no Russian number
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


def visible(text: str) -> str:
    """Without invisible format characters: a number copied from a phone's contact card comes
    wrapped in direction marks (U+202D … U+202C), a pasted one may hold a zero-width space."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def normalize_phone(text: str) -> str | None:
    """Russian mobile/landline numbers in any common format → «+7 900 123-45-67»; a town's
    four- or five-digit code typed apart keeps its length: «8 (3912) 12-34-56» → «+7 3912
    12-34-56». Dashes as documents and phone apps write them («–», «‑») count as hyphens."""
    # NFKC: a full-width «８ ９００…» (a phone's other keyboard) is the digits it shows; they
    # were stored as typed, «+7 9００ 123-45-67», which no dialler or search reads
    typed = unicodedata.normalize("NFKC", visible(text)).strip().translate(_DASHES)
    if not _PHONE_CHARS.match(typed):
        return None
    digits = re.sub(r"[^0-9]", "", typed)
    prefixed = len(digits) == 11 and digits[0] in "78"
    if prefixed:
        digits = digits[1:]
    elif len(digits) != 10:
        return None
    if digits[0] not in "3489":  # Russian area and mobile codes start with 3, 4, 8 or 9
        return None
    code = _code_length(typed, prefixed)
    local = digits[code:]
    return f"+7 {digits[:code]} {local[:-4]}-{local[-4:-2]}-{local[-2:]}"


def _code_length(typed: str, prefixed: bool) -> int:
    """3 (the plan's code: «+7 391 212-34-56»), or the 4 or 5 digits of a landline's town
    code as the person set it apart («(3519) 55-66-77», «+7 35161 2-34-56»): Russians write
    the local number after it in pairs, «55-66-77», not «+7 351 955-66-77»."""
    groups = re.findall(r"[0-9]+", typed)
    if prefixed:  # «8», «+7» alone, or glued to the code («83912 12-34-56»)
        groups[0] = groups[0][1:]
    code = next((g for g in groups if g), "")
    return len(code) if len(code) in (4, 5) and code[0] != "9" else 3


def normalize_contact(text: str) -> str | None:
    """A phone (normalised) or an e-mail (lower-cased); None when it is neither."""
    value = visible(text).strip()
    if "@" in value:
        return value.lower() if _EMAIL.match(value) and len(value) <= 200 else None
    return normalize_phone(value)
