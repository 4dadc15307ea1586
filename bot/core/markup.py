"""Helpers for putting values into Telegram HTML safely and within Telegram's limits."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

MESSAGE_LIMIT = 4096
TOAST_LIMIT = 200  # a button's answer (callback notice): Telegram refuses more, MAX alike


# bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): one left open in a
# name or a question turns the rest of the bot's line around («…Telegram, id 2001» read
# backwards on a staff card); letters of any script stay, only these controls go
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def q(value: Any) -> str:
    """Escape anything for parse_mode=HTML; the only way a value enters a template.

    Same as aiogram's `html.quote`, without importing aiogram (keeps the CLI quick), and
    without the bidi controls that would reorder the template's own text around the value."""
    return html.escape(str(value).translate(BIDI_CONTROLS), quote=False)


def fill(template: str, **values: Any) -> str:
    """`template.format` with every value escaped."""
    return template.format(**{key: q(value) for key, value in values.items()})


def fill_region(template: str, **values: Any) -> str:
    """`fill` for texts with region facts that may be unset (None): a `[[if name]]` block or
    a line using an unset value is left out instead of showing «None» (bot/core/template.py)."""
    from bot.core.template import render_template  # the FAQ package is heavier than this one

    return render_template(template, {k: None if v is None else str(v) for k, v in values.items()})


def visible_len(html_text: str) -> int:
    """The length Telegram counts for an HTML text (after entities parsing): tags left out,
    `&amp;` one character."""
    return len(html.unescape(re.sub(r"<[^>]*>", "", html_text)))


def clip(text: str, limit: int) -> str:
    """Shorten plain text to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_toast(template: str, name: str, value: str, **fixed: str) -> str:
    """A button's answer from `template` (plain text: nothing escaped, «&» stays «&»): `value`
    for `{name}` cut so that the whole, with the `fixed` values, fits in TOAST_LIMIT."""
    room = TOAST_LIMIT - len(template.format(**{name: ""}, **fixed))
    return clip(template.format(**{name: clip(value, max(room, 2))}, **fixed), TOAST_LIMIT)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split plain text into Telegram-sized parts at paragraph, line or word boundaries."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit))
        if cut <= limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def pack_lines(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters; HTML tags never span lines."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return parts
