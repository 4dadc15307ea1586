"""The refusal of a bulk import (events, chats): every problem of the file at once.

A half-imported file is worse than none, so the importers check every line first and raise
this with all they found; the caller prints the lines and its own summary and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence


class ImportErrors(Exception):
    """Every problem of a file, each a line for a person: `строка N: …` or one about the file."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)
