"""What a MAX staffer typed, with the formatting they gave it, as the bot's Telegram HTML.

MAX sends a message's formatting apart from its text: `body.markup`, a list of elements
(`type`, `from`, `length`; a link's `url`). A broadcast is kept in Telegram HTML and rendered
for each messenger (handlers.max.render), so bold, italics, a link typed in MAX reach both
messengers' parents — not the bare words. Offsets are counted in UTF-16 code units, as
Telegram's entities are (the same as characters for Cyrillic text). A mention, a highlight
or an element of a type MAX adds later keeps its words without a tag; every piece of text
is escaped, so «<» typed in MAX is still shown as typed.
"""

from __future__ import annotations

import html
from itertools import pairwise
from typing import Final

from bot.core.markup import q
from handlers.max import updates
from handlers.max.context import JsonDict

# MAX markup type → Telegram tag (heading: Telegram has none, bold reads as one)
TAGS: Final = {
    "strong": "b", "emphasized": "i", "underline": "u", "strikethrough": "s",
    "monospaced": "code", "heading": "b", "link": "a",
}  # fmt: skip
ORDER: Final = tuple(TAGS)  # nesting order of the tags around one piece of text


def _units(text: str) -> list[int]:
    """The UTF-16 offset where each character starts, and the text's end."""
    found, at = [], 0
    for char in text:
        found.append(at)
        at += 2 if ord(char) > 0xFFFF else 1
    return [*found, at]


def _marks(markup: object, ends: int) -> list[tuple[int, int, str, str]]:
    """(start, end, type, url) of each element that formats some of the text."""
    found: list[tuple[int, int, str, str]] = []
    for mark in markup if isinstance(markup, list) else []:
        if not isinstance(mark, dict) or mark.get("type") not in TAGS:
            continue
        start, length, url = mark.get("from"), mark.get("length"), str(mark.get("url") or "")
        if not isinstance(start, int) or not isinstance(length, int) or length <= 0:
            continue
        if mark["type"] == "link" and not url.startswith(("https://", "http://")):
            continue  # a link MAX made of something else: its words stay
        found.append((max(start, 0), min(start + length, ends), mark["type"], url))
    return found


def _wrap(piece: str, kinds: dict[str, str]) -> str:
    shown = q(piece)
    for kind in reversed([k for k in ORDER if k in kinds]):
        tag = TAGS[kind]
        opening = f'<a href="{html.escape(kinds[kind])}">' if tag == "a" else f"<{tag}>"
        shown = f"{opening}{shown}</{tag}>"
    return shown


def as_html(text: str, markup: object) -> str:
    """`text` escaped, each run of it wrapped in the tags its markup asks for."""
    units = _units(text)
    marks = _marks(markup, units[-1])
    if not marks:
        return q(text)
    cuts = sorted({0, units[-1], *(s for s, _, _, _ in marks), *(e for _, e, _, _ in marks)})
    index = {unit: i for i, unit in enumerate(units)}
    out: list[str] = []
    for start, end in pairwise(cuts):
        if start not in index or end not in index:
            continue  # an offset inside a surrogate pair: not MAX's, not ours to guess
        kinds = {kind: url for s, e, kind, url in marks if s <= start and end <= e}
        out.append(_wrap(text[index[start] : index[end]], kinds))
    return "".join(out)


def typed_html(update: JsonDict) -> str:
    """The message's own words (not a forward's) with their formatting, as Telegram HTML,
    without the spaces around them (as `updates.text` strips them)."""
    body = updates.message(update).get("body") or {}
    text = str(body.get("text") or "")
    lead = len(text) - len(text.lstrip())
    trimmed = text.strip()
    if not trimmed:
        return q(updates.text(update))
    shift = sum(2 if ord(c) > 0xFFFF else 1 for c in text[:lead])
    markup = body.get("markup")
    moved = [
        {**m, "from": m["from"] - shift} if isinstance(m, dict) and isinstance(m.get("from"), int)
        else m
        for m in (markup if isinstance(markup, list) else [])
    ]  # fmt: skip
    return as_html(trimmed, moved)
