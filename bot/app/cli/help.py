"""`--help` in Russian throughout: argparse's own words (usage, options, -h) translated and every
subcommand's page opening with what it does, whichever module built the subcommand."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

HELP = "показать эту справку и выйти"


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
