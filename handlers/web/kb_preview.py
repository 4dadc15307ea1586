"""An FAQ answer (Telegram HTML) shown in the panel as the parent will see it.

The text is parsed again and rebuilt from scratch: only Telegram's formatting tags come out as
tags, `<a>` keeps an http(s) or tg: address and nothing else, every other tag, attribute and
all text is escaped. So a `<script>` typed into an answer is shown as text, never run, even if
the checker let something through.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

TAGS = {
    "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u", "s": "s",
    "strike": "s", "del": "s", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-spoiler": "span", "span": "span",
}  # fmt: skip
SCHEMES = ("http://", "https://", "tg://")


class _Rebuild(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(SCHEMES):
                self.out.append(f'<a href="{escape(href)}" rel="noopener noreferrer">')
                self.open.append("a")
            else:
                self.open.append("")
        elif tag in TAGS:
            spoiler = ' class="spoiler"' if TAGS[tag] == "span" else ""
            self.out.append(f"<{TAGS[tag]}{spoiler}>")
            self.open.append(TAGS[tag])
        else:
            self.out.append(escape(self.get_starttag_text() or f"<{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """`<br/>`: no Telegram tag is self-closing, so it is shown as typed."""
        self.out.append(escape(self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        if tag in TAGS or tag == "a":
            if self.open:
                closed = self.open.pop()
                if closed:
                    self.out.append(f"</{closed}>")
        else:
            self.out.append(escape(f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data))

    def close_all(self) -> str:
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open) if tag)
        return "".join(self.out)


def telegram_html(text: str) -> Markup:
    """Safe page HTML for a Telegram HTML message (line breaks kept by CSS pre-wrap)."""
    parser = _Rebuild()
    parser.feed(text)
    return Markup(parser.close_all())  # rebuilt above: every piece escaped
