"""Telegram's side of `parse_mode=HTML` and of request parameters: the fake server parses
what the bot sends the way Telegram does (entities in UTF-16 units, «can't parse entities»)."""

from __future__ import annotations

import functools
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from types import NoneType
from typing import Any, Final

from aiogram import methods as tg_methods
from aiogram.client.default import Default
from aiogram.methods.base import TelegramMethod
from aiogram.types import InputFile

from tests.fakes.telegram_model import (
    SPACES,
    JsonDict,
    bad_request,
    utf16_len,
)

# --------------------------------------------------------------------------- HTML like Telegram

_HTML_TAGS: Final = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "a": "text_link", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPECIAL: Final = re.compile(r"[<&]")


class HtmlParseError(ValueError):
    """The reason Telegram gives after "Bad Request: can't parse entities: "."""


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the rendered text, as Telegram counts entity offsets
    begin: int  # index in the source, for byte offsets in error messages


class _HtmlParser:
    """Telegram's HTML parse mode, after tdlib's ``parse_html``: same tags, same refusals.

    Bare ``<`` (e.g. unescaped user input ``a < b``), unknown tags such as ``<br>`` and
    unbalanced tags are errors; an ``&`` that starts no known entity is kept literally.
    """

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self.pos < len(self.src):
            if self.src.startswith("</", self.pos):
                self._end_tag()
            elif self.src.startswith("<", self.pos):
                self._start_tag()
            elif self.src.startswith("&", self.pos):
                self._entity()
            else:
                self._plain()
        if self.stack:
            tag = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def _byte(self, index: int) -> int:
        return len(self.src[:index].encode())

    def _plain(self) -> None:
        match = _HTML_SPECIAL.search(self.src, self.pos)
        end = match.start() if match else len(self.src)
        self._emit(self.src[self.pos : end])
        self.pos = end

    def _entity(self) -> None:
        decoded, end = _decode_html_entity(self.src, self.pos)
        self._emit(decoded if decoded is not None else "&")
        self.pos = end if decoded is not None else self.pos + 1

    def _skip(self, index: int, stop: Callable[[str], bool]) -> int:
        while index < len(self.src) and not stop(self.src[index]):
            index += 1
        return index

    def _start_tag(self) -> None:
        begin = self.pos
        end = self._skip(begin + 1, lambda ch: ch in SPACES or ch == ">")
        if end >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        name = self.src[begin + 1 : end].lower()
        if name not in _HTML_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte(begin)}'
            )
        attrs, end = self._attributes(name, end, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}'
            )
        self.stack.append(_OpenTag(name, attrs, self.utf16, begin))
        self.pos = end + 1

    def _attributes(self, tag: str, index: int, begin: int) -> tuple[dict[str, str], int]:
        attrs: dict[str, str] = {}
        while True:
            index = self._skip(index, lambda ch: ch not in SPACES)
            if index >= len(self.src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            if self.src[index] == ">":
                return attrs, index
            name_end = self._skip(index, lambda ch: ch in SPACES or ch in "=>")
            name = self.src[index:name_end].lower()
            index = self._skip(name_end, lambda ch: ch not in SPACES)
            if tag == "blockquote" and name == "expandable" and self.src[index : index + 1] != "=":
                attrs[name] = ""
                continue
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(begin)}'
                )
            if self.src[index : index + 1] != "=":
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self._byte(begin)}'
                )
            attrs[name], index = self._attribute_value(index + 1, begin)

    def _attribute_value(self, index: int, begin: int) -> tuple[str, int]:
        index = self._skip(index, lambda ch: ch not in SPACES)
        if index >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        quote = self.src[index]
        if quote in "'\"":
            end = self.src.find(quote, index + 1)
            if end < 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            value, _ = _HtmlParser(self.src[index + 1 : end])._decode_only()
            return value, end + 1
        end = self._skip(index, lambda ch: not (ch.isascii() and (ch.isalnum() or ch in ".-")))
        if end >= len(self.src) or (self.src[end] not in SPACES and self.src[end] != ">"):
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {self._byte(index)}"
            )
        return self.src[index:end].lower(), end

    def _decode_only(self) -> tuple[str, int]:
        while self.pos < len(self.src):
            if self.src.startswith("&", self.pos):
                self._entity()
            else:
                self._emit(self.src[self.pos])
                self.pos += 1
        return "".join(self.out), self.utf16

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        end = self._skip(begin + 2, lambda ch: ch in SPACES or ch == ">")
        found = self.src[begin + 2 : end].lower()
        end = self._skip(end, lambda ch: ch not in SPACES)
        if end >= len(self.src) or self.src[end] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        tag = self.stack.pop()
        if found and found != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self._byte(begin)}, "
                f'expected "</{tag.name}>", found "</{found}>"'
            )
        self._close(tag)
        self.pos = end + 1

    def _close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0 or (tag.name == "a" and not tag.attrs.get("href")):
            return
        entity: JsonDict = {"type": _HTML_TAGS[tag.name], "offset": tag.offset, "length": length}
        if tag.name == "a":
            entity["url"] = tag.attrs["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def _decode_html_entity(src: str, index: int) -> tuple[str | None, int]:
    """Decode ``&lt;``/``&#60;``/``&#x3c;`` at ``index``; (None, index) when it is no entity."""
    numeric = src.startswith("&#", index)
    start = index + 2 if numeric else index + 1
    base = 10
    if numeric and src[start : start + 1] in ("x", "X"):
        base, start = 16, start + 1
    digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    end = start
    while end < len(src) and (
        src[end] in digits if numeric else src[end].isascii() and src[end].isalnum()
    ):
        end += 1
    if end == start or not src.startswith(";", end):
        return None, index
    if not numeric:
        named = _NAMED_ENTITIES.get(src[start:end])
        return (named, end + 1) if named else (None, index)
    code = int(src[start:end], base)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None, index
    return chr(code), end + 1


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Render Telegram HTML to (plain text, entities); raises HtmlParseError like Telegram."""
    return _HtmlParser(text).parse()


def render_markup(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` as Telegram does; explicit entities win over the parse mode.

    Markdown and MarkdownV2 are accepted without validation (the bot uses HTML).
    """
    if isinstance(entities, list):
        return text, entities
    mode = str(parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    if mode in ("markdown", "markdownv2"):
        return text, []
    raise bad_request("unsupported parse_mode")


# --------------------------------------------------------------------------- request decoding

_FALLBACK_STRING_FIELDS: Final = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "description",
    "short_description", "name", "language_code", "action", "emoji", "title",
    "inline_message_id", "business_connection_id", "message_effect_id", "custom_emoji_id",
    "question", "phone_number", "first_name", "last_name", "secret_token", "file_id",
})  # fmt: skip


def _is_string_annotation(annotation: Any) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    kinds = {
        arg
        for arg in args
        if arg is not NoneType
        and not (isinstance(arg, type) and issubclass(arg, (Default, InputFile)))
    }
    return kinds == {str}


@functools.cache
def _string_fields() -> dict[str, frozenset[str]]:
    """Per API method, the parameters typed ``str`` (their values must not be JSON-decoded).

    aiogram sends strings raw and everything else JSON-encoded, so a text "123" and a
    chat_id 123 look alike on the wire; like Telegram, the schema decides. aiogram's method
    models are the schema.
    """
    table: dict[str, frozenset[str]] = {}
    for obj in vars(tg_methods).values():
        api_name = getattr(obj, "__api_method__", None)
        if isinstance(obj, type) and issubclass(obj, TelegramMethod) and isinstance(api_name, str):
            fields = obj.model_fields.items()
            names = {name for name, info in fields if _is_string_annotation(info.annotation)}
            table[api_name.lower()] = frozenset(names)
    return table


def _json_or_str(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def decode_params(method: str, raw: list[tuple[str, Any]]) -> JsonDict:
    """Typed parameters from form or query strings (JSON-decoded unless the field is a str)."""
    strings = _string_fields().get(method, _FALLBACK_STRING_FIELDS)
    return {
        key: value if key in strings or not isinstance(value, str) else _json_or_str(value)
        for key, value in raw
    }
