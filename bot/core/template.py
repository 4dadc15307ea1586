"""Answer templates that stay true when a region leaves a setting unset.

An answer is Telegram HTML with `{placeholders}` from `Settings.placeholders()`; a value of
`None` means the region has not set it, and the bot must then say nothing rather than show an
example. Three rules, applied in this order:

1. Blocks: `[[if name]]…[[else]]…[[end]]` keep one branch. Conditions: `name` (set),
   `not name` (unset), `name=value`, `name!=value` (the value as the placeholder shows it,
   e.g. `[[if certificate_model=social]]`, `[[if gosuslugi_login=да]]`). Blocks may nest and
   may sit inside a line or on lines of their own (such lines disappear with the tag).
2. A link `<a href="{name}">text</a>` whose address is unset keeps its text without the link.
3. Any other line that still uses an unset placeholder is left out.

A value that starts a sentence gets a capital letter, so «{certificate_name} — это…» reads
right whatever the setting holds.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator, Mapping

__all__ = ["TemplateError", "Values", "condition_names", "fields", "render_template"]

Values = Mapping[str, str | None]
TAG = re.compile(r"\[\[(.*?)\]\]")
CONDITION = re.compile(r"(not\s+)?(\w+)\s*(?:(!=|=)\s*(.+))?")
LINK = re.compile(r'<a href="\{(\w+)\}">(.*?)</a>', re.DOTALL)
SENTENCE_START = re.compile(r"(?:^|\n|[.!?…]\s)\s*(?:<[^>]+>\s*)*$")
MARK = "\x00"  # where a tag or a dropped piece was: a line left with only marks disappears
_FORMATTER = string.Formatter()


class TemplateError(ValueError):
    """A broken block (`[[if]]` without `[[end]]`, an unknown name…), said in Russian."""


def _condition(text: str, values: Values) -> bool:
    match = CONDITION.fullmatch(text.strip())
    if match is None:
        raise TemplateError(
            f"не понимаю условие «[[if {text}]]» — пишите [[if имя]], [[if not имя]] "
            "или [[if имя=значение]]"
        )
    negate, name, op, expected = match.groups()
    if name not in values:
        raise TemplateError(
            f"в условии [[if {text}]] неизвестное имя «{name}» — проверьте написание"
        )
    value = values[name]
    if op is None:
        return (value is None) if negate else (value is not None)
    if negate:
        raise TemplateError(f"в условии [[if {text}]] not и = вместе не пишут — оставьте одно")
    same = value is not None and value == expected.strip()
    return same if op == "=" else not same


def _blocks(template: str, values: Values) -> str:
    out: list[str] = []
    stack: list[tuple[bool, bool, bool]] = []  # (outer active, condition, in else)
    active, pos = True, 0
    for match in TAG.finditer(template):
        if active:
            out.append(template[pos : match.start()])
        out.append(MARK)
        pos = match.end()
        tag = match.group(1).strip()
        if tag.startswith("if "):
            condition = _condition(tag[3:], values)
            stack.append((active, condition, False))
            active = active and condition
        elif tag == "else":
            if not stack or stack[-1][2]:
                raise TemplateError("[[else]] без своего [[if …]] — проверьте блоки")
            outer, condition, _ = stack[-1]
            stack[-1] = (outer, condition, True)
            active = outer and not condition
        elif tag == "end":
            if not stack:
                raise TemplateError("[[end]] без своего [[if …]] — проверьте блоки")
            active = stack.pop()[0]
        else:
            raise TemplateError(f"непонятный блок [[{tag}]] — бывают [[if …]], [[else]], [[end]]")
    if stack:
        raise TemplateError("блок [[if …]] не закрыт — добавьте [[end]]")
    if active:
        out.append(template[pos:])
    return "".join(out)


def fields(template: str) -> Iterator[str]:
    """Placeholder names used anywhere in the template (`ValueError` on a stray brace)."""
    for _, name, _, _ in _FORMATTER.parse(template):
        if name is not None:
            yield name


def condition_names(template: str) -> Iterator[str]:
    """Names the template's `[[if …]]` blocks test."""
    for match in TAG.finditer(template):
        found = CONDITION.fullmatch(match.group(1).strip().removeprefix("if ").strip())
        if match.group(1).strip().startswith("if ") and found:
            yield found.group(2)


def _unset(line: str, values: Values) -> bool:
    try:
        return any(values.get(name, "") is None for name in fields(line))
    except ValueError:
        return False  # a stray brace is reported by the fill step


def _starts_sentence(value: str, before: str) -> bool:
    """A lower-case word right after a full stop, a new line or an opening tag (not a URL)."""
    plain = "://" not in value and "@" not in value
    return value[:1].islower() and plain and SENTENCE_START.search(before) is not None


def _fill(text: str, values: Values, escape: bool) -> str:
    out: list[str] = []
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        out.append(literal)
        if name is None:
            continue
        value = _FORMATTER.get_field(name, (), values)[0]
        value = _FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec or "")
        if _starts_sentence(value, "".join(out)):
            value = value[0].upper() + value[1:]
        out.append(html.escape(value, quote=True) if escape else value)
    return "".join(out)


def _tidy(text: str) -> str:
    lines = [ln for ln in text.split("\n") if not (MARK in ln and not ln.strip(MARK + " \t"))]
    text = "\n".join(lines).replace(MARK, "")
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + ("\n" if text.endswith("\n") else "")


def render_template(template: str, values: Values, *, escape: bool = True) -> str:
    """Fill a template; `KeyError` names an unknown placeholder, `ValueError` a bad brace,
    `TemplateError` a broken block."""
    text = _blocks(template, values)
    if escape:
        text = LINK.sub(lambda m: m.group(2) if values.get(m.group(1), "") is None else m[0], text)
    text = "\n".join(MARK if _unset(line, values) else line for line in text.split("\n"))
    return _fill(_tidy(text), values, escape)
