"""The bot's Telegram-flavoured HTML made safe for MAX, cut to MAX's length, and the core's
neutral buttons (`bot.core.messages.Button`) laid out as MAX's inline keyboard.

MAX keeps only b/strong, i/em, u/ins, s/del, a, code/pre, mark and h1 (docs-api, «HTML
support»; other tags are stripped by MAX, so their text would run together). Telegram-only
markup is turned into what a reader expects: a blockquote into its lines on their own, a
spoiler or a custom emoji into its plain text, `<pre><code class=…>` into `<pre>`.

A text is at most 4000 characters (NewMessageBody.text maxLength). Whether MAX counts the
markup is not documented, so `split_html` counts it: a conservative limit never fails.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Final

from bot.core.messages import Button

TEXT_LIMIT: Final = 4000
ROWS_LIMIT: Final = 30
BUTTONS_LIMIT: Final = 210
ROW_LIMIT: Final = 7
WIDE_ROW_LIMIT: Final = 3  # rows holding a link or request_contact button
BUTTON_TEXT_LIMIT: Final = 128
PAYLOAD_LIMIT: Final = 1024
URL_LIMIT: Final = 2048

# Telegram tag → MAX tag ("" = keep the text, drop the tag)
TAGS: Final = {
    "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u",
    "s": "s", "strike": "s", "del": "s", "a": "a", "code": "code", "pre": "pre",
    "mark": "mark", "h1": "h1", "tg-spoiler": "", "span": "", "tg-emoji": "",
    "blockquote": "", "q": "",
}  # fmt: skip
BLOCKS: Final = frozenset({"blockquote", "pre", "h1", "p", "div"})


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []  # MAX tags open, "" for dropped ones

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
            return
        if tag in BLOCKS:
            self._block_break()
        target = TAGS.get(tag, "")
        if target == "a":
            href = dict(attrs).get("href") or ""
            if not href.startswith(("http://", "https://", "max://")):
                target = ""  # tg:// and mailto: links mean nothing in MAX: keep the words
            else:
                self.out.append(f'<a href="{html.escape(href, quote=True)}">')
        elif target == "code" and "pre" in self.stack:
            target = ""  # <pre><code class="language-x"> is one block in MAX
        elif target:
            self.out.append(f"<{target}>")
        self.stack.append(target)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br" or not self.stack:
            return
        target = self.stack.pop()
        if target:
            self.out.append(f"</{target}>")
        if tag in BLOCKS:
            self._block_break()

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def _block_break(self) -> None:
        if self.out and not "".join(self.out[-2:]).endswith("\n"):
            self.out.append("\n")

    def result(self) -> str:
        self.close()
        while self.stack:  # a broken input still gives balanced output
            target = self.stack.pop()
            if target:
                self.out.append(f"</{target}>")
        return "".join(self.out).strip()


def to_max_html(text: str) -> str:
    """Telegram HTML → the HTML MAX keeps; everything else becomes plain, escaped text."""
    converter = _Converter()
    converter.feed(text)
    return converter.result()


# ----------------------------------------------------------------- splitting


@dataclass(frozen=True)
class _Cell:
    raw: str
    opens: str | None = None  # the open tag's raw text when this cell opens one
    closes: bool = False


def _cells(text: str) -> list[_Cell]:
    """Tags as one cell each, text as one cell per character (an entity stays whole)."""
    cells: list[_Cell] = []
    i = 0
    while i < len(text):
        end = i + 1
        if text[i] == "<" and (close := text.find(">", i)) > 0:
            end = close + 1
            raw = text[i:end]
            closing = raw.startswith("</")
            cells.append(_Cell(raw, None if closing else raw, closing))
        else:
            if text[i] == "&" and (semi := text.find(";", i, i + 12)) > 0:
                end = semi + 1
            cells.append(_Cell(text[i:end]))
        i = end
    return cells


def _closing(stack: Sequence[str]) -> str:
    return "".join(f"</{tag[1:].split('>')[0].split()[0]}>" for tag in reversed(stack))


def _priority(cells: list[_Cell], k: int) -> int:
    """How good a cut before cells[k] is: after a blank line 3, a line 2, a space 1, else 0."""
    prev = cells[k - 1].raw
    if prev == "\n":
        return 3 if k >= 2 and cells[k - 2].raw == "\n" else 2
    return 1 if prev == " " else 0


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut MAX HTML into parts of at most `limit` characters, each with balanced tags.

    Cuts at the last paragraph break that fits, else a line break, else a space, else
    anywhere; tags open at a cut are closed there and reopened in the next part.
    """
    if len(text) <= limit:
        return [text] if text.strip() else []
    cells = _cells(text)
    parts: list[str] = []
    stack: list[str] = []  # the raw open tags in force where the next part starts
    i = 0
    while i < len(cells):
        prefix = "".join(stack)
        length, walk = len(prefix), list(stack)
        best: dict[int, tuple[int, list[str]]] = {}
        k = i
        while k < len(cells):
            cell = cells[k]
            after = walk[:-1] if cell.closes else [*walk, cell.opens] if cell.opens else walk
            if length + len(cell.raw) + len(_closing(after)) > limit:
                break
            length += len(cell.raw)
            walk = after
            k += 1
            if k < len(cells) and not cells[k - 1].opens:
                best[_priority(cells, k)] = (k, list(walk))
        if k >= len(cells):
            cut, after_stack = k, walk
        elif best:
            cut, after_stack = best[max(best)]
        else:
            raise ValueError(f"limit {limit} is too small for the markup around cell {i}")
        body = "".join(c.raw for c in cells[i:cut]).strip()
        part = (prefix + body + _closing(after_stack)).strip()
        if _visible(part):
            parts.append(part)
        stack, i = after_stack, cut
    return parts


def _visible(part: str) -> str:
    return "".join(c.raw for c in _cells(part) if c.opens is None and not c.closes).strip()


def render_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Telegram HTML → MAX message texts, in order (usually one)."""
    return split_html(to_max_html(text), limit)


# ----------------------------------------------------------------- buttons


def max_button(button: Button) -> dict[str, Any]:
    """A neutral button (`bot.core.messages.Button`) as MAX's: callback, link or
    request_contact."""
    label = button.label
    label = label if len(label) <= BUTTON_TEXT_LIMIT else label[: BUTTON_TEXT_LIMIT - 1] + "…"
    if button.url is not None:
        if len(button.url) > URL_LIMIT:
            raise ValueError(f"URL longer than {URL_LIMIT}: {button.url[:50]}…")
        return {"type": "link", "text": label, "url": button.url}
    if button.asks_contact:
        return {"type": "request_contact", "text": label}
    if not button.action or len(button.action) > PAYLOAD_LIMIT:
        raise ValueError(f"callback payload must be 1–{PAYLOAD_LIMIT} characters")
    return {"type": "callback", "text": label, "payload": button.action}


def _wide(button: Button) -> bool:
    return button.url is not None or button.asks_contact


def layout(rows: Sequence[Sequence[Button]]) -> list[list[dict[str, Any]]]:
    """Rows as asked, each split to MAX's width (7, or 3 with links / contact requests);
    a list taller than MAX's 30 rows (a FAQ section staff kept adding topics to) has its
    one-button rows set two, then three… to a row until it fits, rather than fail."""
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        width = WIDE_ROW_LIMIT if any(_wide(b) for b in row) else ROW_LIMIT
        out.extend([max_button(b) for b in row[n : n + width]] for n in range(0, len(row), width))
    per_row = 1
    while len(out) > ROWS_LIMIT and per_row < ROW_LIMIT:
        per_row += 1
        out = _fold(out, per_row)
    if len(out) > ROWS_LIMIT or sum(map(len, out)) > BUTTONS_LIMIT:
        raise ValueError(f"a MAX keyboard holds {ROWS_LIMIT} rows, {BUTTONS_LIMIT} buttons")
    return out


def _fold(rows: list[list[dict[str, Any]]], per_row: int) -> list[list[dict[str, Any]]]:
    """Runs of one-callback-button rows regrouped `per_row` to a row; other rows kept."""
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        single = len(row) == 1 and row[0]["type"] == "callback"
        last = out[-1] if out else []
        if single and last and len(last) < per_row and all(b["type"] == "callback" for b in last):
            last.append(row[0])
        else:
            out.append(list(row))
    return out


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> dict[str, Any] | None:
    """The `inline_keyboard` attachment, or None when there are no buttons."""
    laid = layout(rows)
    return {"type": "inline_keyboard", "payload": {"buttons": laid}} if laid else None
