"""Words people type instead of a command: «отмена» mid-dialog means /cancel in both
messengers (otherwise it became the question sent to staff, or a teacher's organisation)."""

from __future__ import annotations

CANCEL_WORDS = frozenset(
    {"отмена", "отменить", "отмени", "стоп", "не надо", "передумал", "передумала", "cancel"}
)


def means_cancel(text: str | None) -> bool:
    """The whole message is one of CANCEL_WORDS (any case, a trailing «!» or «.» ignored)."""
    if not text:
        return False
    return " ".join(text.lower().strip(" .!").split()) in CANCEL_WORDS
