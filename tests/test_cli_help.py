"""`python -m bot --help` and every subcommand's `--help` speak Russian throughout (no
argparse «usage:», «options:», «show this help message») and open with what the command does;
every command is in README's table."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.app.cli.help import russian
from bot.app.cli.main import _build_parser

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ("usage:", "options:", "positional arguments", "show this help message", "optional")


def _pages(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _pages(child, (*path, name))


def test_every_help_page_is_russian_and_says_what_the_command_does() -> None:
    pages = list(_pages(russian(_build_parser())))
    assert len(pages) > 20  # every subcommand, not just the top
    for path, parser in pages:
        text = parser.format_help()
        assert not [w for w in ENGLISH if w in text], (path, text)
        assert text.startswith("использование: python -m bot"), (path, text)
        assert parser.description, f"`python -m bot {' '.join(path)} --help` says nothing"


def test_the_real_command_prints_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "worker", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "показать эту справку и выйти" in done.stdout and "usage" not in done.stdout


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `python -m bot (\w+)", readme, re.M))
    commands = {path[0] for path, _ in _pages(_build_parser()) if len(path) == 1}
    assert commands - listed == set()


def test_output_cut_short_by_a_pipe_is_no_error(tmp_path: Path) -> None:
    """`python -m bot faq export --json | head`: the reader stops early; no traceback."""
    env = {"PATH": "/usr/bin:/bin", "MOC_ENV_FILE": "", "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "bot", "faq", "export", "--json"]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(10).startswith(b"[")
        process.stdout.close()  # as `head` does
        errors = process.stderr.read().decode()
    assert process.returncode == 0 and "Traceback" not in errors, errors
