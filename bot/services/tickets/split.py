"""A long message the messenger split in two: its parts go to staff together.

Telegram cuts a message at 4096 characters and the client sends the parts a second or so
apart; each part gets its own reply, and «Спросить специалиста» under one of them forwarded
only that part. The parts are the same person's logged messages, each within SPLIT_SECONDS
of the next (no one types a new question that fast); at most MAX_PARTS of them and
JOINED_LIMIT characters are joined, the pressed one always among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from storage.models import FaqQuery
from storage.repositories import Repositories

SPLIT_SECONDS: Final = 3.0
MAX_PARTS: Final = 4
JOINED_LIMIT: Final = MAX_PARTS * 4096  # four whole Telegram messages


async def whole_message(repo: Repositories, row: FaqQuery) -> str:
    """The logged question `row` with the parts sent just before and after it."""
    if row.message_id is not None:  # a picture's caption is a message of its own
        return row.text
    span = SPLIT_SECONDS * MAX_PARTS
    near = await repo.faq_log.sent_around(row.user_id, row.created_at, span)
    texts = [r for r in near if r.message_id is None]
    return "\n".join(r.text for r in _parts(texts, row.id) or [row])


def _parts(rows: Sequence[FaqQuery], pressed: int) -> Sequence[FaqQuery]:
    """The run of rows around `pressed` with gaps of at most SPLIT_SECONDS, bounded."""
    index = next((i for i, r in enumerate(rows) if r.id == pressed), None)
    if index is None:
        return []
    first = last = index
    length = len(rows[index].text)

    def fits(a: FaqQuery, b: FaqQuery, extra: FaqQuery) -> bool:
        close = (b.created_at - a.created_at).total_seconds() <= SPLIT_SECONDS
        return close and last - first + 1 < MAX_PARTS and length + len(extra.text) < JOINED_LIMIT

    while first > 0 and fits(rows[first - 1], rows[first], rows[first - 1]):
        first -= 1
        length += len(rows[first].text) + 1
    while last + 1 < len(rows) and fits(rows[last], rows[last + 1], rows[last + 1]):
        last += 1
        length += len(rows[last].text) + 1
    return rows[first : last + 1]
