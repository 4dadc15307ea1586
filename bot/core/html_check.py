"""A strict validator for the subset of HTML that Telegram's `parse_mode=HTML` accepts.

Telegram rejects the whole message on the first bad tag («can't parse entities»), so an FAQ
answer with `<br>`, an unclosed `<b>` or a bare `&` would fail only when a parent asks it.
This validator is deliberately stricter than browsers: whitelisted tags and attributes, proper
nesting, and only the entities Telegram documents. The messages are in Russian and say how to
fix the text: they are read by МОЦ staff editing YAML files or composing a broadcast.
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
SUGGESTED_TAGS = "<b>, <i>, <u>, <s>, <a>, <code>, <pre>, <blockquote>"


def _unsupported(what: str, tag: str) -> str:
    """An unknown tag: `<br>` is usually meant as a line break, the rest as formatting."""
    if tag == "br":
        return f"{what} Telegram не поддерживает — вместо него просто перенесите строку"
    return f"{what} Telegram не поддерживает — уберите его или замените на {SUGGESTED_TAGS}"


class _Validator(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.errors: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_ATTRS:
            self.errors.append(_unsupported(f"тег <{tag}>", tag))
            return
        extra = sorted({name for name, _ in attrs} - ALLOWED_ATTRS[tag])
        if len(extra) == 1:
            self.errors.append(f"атрибут {extra[0]} у <{tag}> не поддерживается — уберите его")
        elif extra:
            names = ", ".join(extra)
            self.errors.append(f"атрибуты {names} у <{tag}> не поддерживаются — уберите их")
        values = dict(attrs)
        if tag == "a" and not (values.get("href") or "").strip():
            self.errors.append('у ссылки <a> нет адреса — напишите <a href="https://…">текст</a>')
        if tag == "span" and values.get("class") != "tg-spoiler":
            self.errors.append(
                '<span> можно использовать только как <span class="tg-spoiler"> (скрытый текст)'
            )
        language = (values.get("class") or "").startswith("language-")
        if tag == "code" and "class" in values and (not language or self.stack[-1:] != ["pre"]):
            self.errors.append(
                '<code class="…"> можно писать только внутри <pre>, вот так: '
                '<pre><code class="language-…">…</code></pre>'
            )
        if tag in ("a", "pre", "code") and tag in self.stack:
            self.errors.append(
                f"<{tag}> нельзя вкладывать в другой <{tag}> — закройте первый </{tag}> раньше"
            )
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(_unsupported(f"тег <{tag}/>", tag))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_ATTRS:
            self.errors.append(f"закрывающий тег </{tag}> Telegram не поддерживает — уберите его")
        elif not self.stack:
            self.errors.append(
                f"</{tag}> ничего не закрывает — уберите его или добавьте <{tag}> перед текстом"
            )
        elif self.stack[-1] != tag:
            self.errors.append(
                f"</{tag}> закрывает <{self.stack[-1]}>: теги должны закрываться в обратном "
                "порядке, например <b><i>…</i></b>"
            )
            if tag in self.stack:
                del self.stack[self.stack.index(tag) :]
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if ">" in data:
            self.errors.append("символ «>» в тексте — напишите &gt;")

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.errors.append(
                f"&{name}; Telegram не понимает — вставьте сам символ; "
                "из таких кодов можно только &lt; &gt; &amp; &quot;"
            )

    def handle_comment(self, data: str) -> None:
        self.errors.append("комментарии <!-- … --> Telegram не поддерживает — уберите их")

    def handle_decl(self, decl: str) -> None:
        self.errors.append(f"конструкцию <!{decl}> Telegram не поддерживает — уберите её")

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        self.errors.append(f"конструкцию <?{data}> Telegram не поддерживает — уберите её")


def html_errors(text: str) -> list[str]:
    """Problems Telegram would reject `text` for, in order; empty when it is valid."""
    errors: list[str] = []
    if _BAD_AMP.search(text):
        errors.append("символ «&» в тексте — напишите &amp;")
    if _STRAY_LT.search(text):
        errors.append("символ «<» в тексте — напишите &lt;")
    validator = _Validator()
    validator.feed(text)
    validator.close()
    errors += validator.errors
    errors += [
        f"тег <{tag}> не закрыт — добавьте </{tag}> там, где выделение должно кончиться"
        for tag in reversed(validator.stack)
    ]
    return list(dict.fromkeys(errors))
