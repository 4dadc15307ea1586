"""Readable names for the files the bot sends (a teacher's phone shows the name under the file).

Latin letters, digits, «-» and «.» only: the MAX client uploads a file with aiohttp's default
form encoding, which writes a Cyrillic name percent-encoded («%D0%A1…»), and a name with «/»,
«:», «?» or quotes is cut or refused by some phones' file managers. So the title is written in
the transliteration the other file names use («podtverzhdenie», «uchastniki»).
"""

from __future__ import annotations

import re

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщыэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya".split(),
        strict=True,
    )
) | {"ъ": "", "ь": ""}
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
