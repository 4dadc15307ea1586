"""`--help` in Russian throughout: argparse's own words (usage, options, -h) translated and every
subcommand's page opening with what it does, whichever module built the subcommand."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import NoReturn

HELP = "показать эту справку и выйти"
# argparse's own complaints (Python 3.11–3.13 wording), in the Russian the rest of the CLI speaks
ERRORS = (
    (r"argument (?P<name>\S+): (?P<rest>.*)", "{name}: {rest}"),
    (
        r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.*)\)",
        "{value} — такого варианта нет; можно: {choices}",
    ),
    (r"invalid int value: (?P<value>.+)", "{value} — нужно целое число"),
    (r"invalid (?P<type>\S+) value: (?P<value>.+)", "{value} не подходит"),
    (r"the following arguments are required: (?P<names>.+)", "не указано: {names}"),
    (r"unrecognized arguments: (?P<names>.+)", "лишние аргументы: {names}"),
    (r"expected one argument", "после него нужно значение"),
    (r"expected at least one argument", "после него нужно хотя бы одно значение"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<names>.+)",
     "{option} неоднозначно: подходит {names}"),
    (r"not allowed with argument (?P<name>.+)", "нельзя вместе с {name}"),
    (r"one of the arguments (?P<names>.+) is required", "нужен один из: {names}"),
)  # fmt: skip


def translate(message: str) -> str:
    """argparse's English message in Russian (unknown wording is left as it is)."""
    for pattern, russian_text in ERRORS:
        match = re.fullmatch(pattern, message)
        if match is not None:
            parts = {key: _quoted(value) for key, value in match.groupdict().items()}
            if "rest" in parts:
                parts["rest"] = translate(match["rest"])
            return russian_text.format(**parts)
    return message


def _quoted(value: str) -> str:
    """'foo' (argparse's repr) as «foo»; a list of them likewise."""
    return re.sub(r"'([^']*)'", r"«\1»", value)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose mistakes (unknown command, missing argument) are Russian."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: ошибка: {translate(message)}\nсправка: {self.prog} --help\n")


class _Usage:
    """The Russian `использование:` prefix, mixed into argparse's formatters."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, prefix or "использование: ")  # type: ignore[misc]


class Formatter(_Usage, argparse.HelpFormatter):
    pass


class RawFormatter(_Usage, argparse.RawDescriptionHelpFormatter):
    pass


def russian(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Translate `parser` and every subparser below it, in place."""
    given = parser.formatter_class
    raw = isinstance(given, type) and issubclass(given, argparse.RawDescriptionHelpFormatter)
    parser.formatter_class = RawFormatter if raw else Formatter
    parser._positionals.title = "аргументы"
    parser._optionals.title = "параметры"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = HELP
        if isinstance(action, argparse._SubParsersAction):
            summaries = {a.dest: a.help for a in action._choices_actions}
            for name, child in action.choices.items():
                if child.description is None:  # argparse shows `help` only in the list above
                    child.description = summaries.get(name)
                russian(child)
    return parser
