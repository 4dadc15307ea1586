"""A strict validator for the subset of HTML that Telegram's `parse_mode=HTML` accepts.

Telegram rejects the whole message on the first bad tag («can't parse entities»), so an FAQ
answer with `<br>`, an unclosed `<b>` or a bare `&` would fail only when a parent asks it.
This validator is deliberately stricter than browsers: whitelisted tags and attributes, proper
nesting, and only the entities Telegram documents.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_errors"]

ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
}
NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
_BAD_AMP = re.compile(r"&(?![a-zA-Z]+;|#\d{1,7};|#x[0-9a-fA-F]{1,6};)")
_STRAY_LT = re.compile(r"<(?!/?[a-zA-Z])")


class _Validator(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.errors: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_ATTRS:
            self.errors.append(f"tag <{tag}> is not supported by Telegram")
            return
        names = {name for name, _ in attrs}
        extra = names - ALLOWED_ATTRS[tag]
        if extra:
            self.errors.append(f"<{tag}> does not allow attribute(s) {', '.join(sorted(extra))}")
        values = dict(attrs)
        if tag == "a" and not (values.get("href") or "").strip():
            self.errors.append("<a> needs a non-empty href")
        if tag == "span" and values.get("class") != "tg-spoiler":
            self.errors.append('<span> is only allowed as <span class="tg-spoiler">')
        language = (values.get("class") or "").startswith("language-")
        if tag == "code" and "class" in values and (not language or self.stack[-1:] != ["pre"]):
            self.errors.append('<code class="language-…"> is only allowed inside <pre>')
        if tag in ("a", "pre", "code") and tag in self.stack:
            self.errors.append(f"<{tag}> cannot be nested in another <{tag}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing tag <{tag}/> is not supported by Telegram")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_ATTRS:
            self.errors.append(f"closing tag </{tag}> is not supported by Telegram")
        elif not self.stack:
            self.errors.append(f"</{tag}> closes nothing")
        elif self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1]}> (tags must nest properly)")
            if tag in self.stack:
                del self.stack[self.stack.index(tag) :]
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if ">" in data:
            self.errors.append("stray '>' in text: write &gt;")

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.errors.append(f"entity &{name}; is not supported (only &lt; &gt; &amp; &quot;)")

    def handle_comment(self, data: str) -> None:
        self.errors.append("HTML comments are not supported by Telegram")

    def handle_decl(self, decl: str) -> None:
        self.errors.append(f"declaration <!{decl}> is not supported by Telegram")

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        self.errors.append(f"processing instruction <?{data}> is not supported by Telegram")


def html_errors(text: str) -> list[str]:
    """Problems Telegram would reject `text` for, in order; empty when it is valid."""
    errors: list[str] = []
    if _BAD_AMP.search(text):
        errors.append("bare '&' in text: write &amp; (or use a valid entity)")
    if _STRAY_LT.search(text):
        errors.append("stray '<' in text: write &lt;")
    validator = _Validator()
    validator.feed(text)
    validator.close()
    errors += validator.errors
    errors += [f"<{tag}> is never closed" for tag in reversed(validator.stack)]
    return list(dict.fromkeys(errors))
