"""Readable names for the files the bot sends (a teacher's phone shows the name under the file).

Latin letters, digits, «-» and «.» only: chosen when the MAX client still sent a Cyrillic
name percent-encoded («%D0%A1…»; it sends UTF-8 now, see handlers.max.client.upload), and a
name with «/», «:», «?» or quotes is cut or refused by some phones' file managers. So the
title is written in the transliteration the other file names use («podtverzhdenie»,
«uchastniki»).
"""

from __future__ import annotations

import re

_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def latin_slug(text: str, limit: int = 60) -> str:
    """«Семинар «Игровые технологии»» → «seminar-igrovye-tekhnologii», at most `limit`
    characters, cut between words; "" when nothing readable is left."""
    latin = "".join(_LATIN.get(char, char) for char in text.lower())
    slug = _NOT_SAFE.sub("-", latin).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:limit]
    return slug.strip("-")
