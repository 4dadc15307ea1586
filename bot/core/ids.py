"""One id space for people and chats of every messenger.

Telegram's ids are stored as they are: Telegram documents them to fit in 52 bits. Ids of
another messenger (MAX) are any int64, so they are never stored as keys directly: each gets an
internal id from `channel_ids` (storage), outside Telegram's range — positive for a person,
negative for a group, like Telegram's — and every table keeps its single integer key. So the
channel of any stored id is known from the id alone, and Telegram rows needed no migration.
"""

from __future__ import annotations

from typing import Literal

Channel = Literal["tg", "max"]
Kind = Literal["user", "chat"]
BASE = 2**60  # above every Telegram id (< 2**52), below int64's limit
INT32_MAX = 2**31 - 1  # row ids (INTEGER primary keys on PostgreSQL)


def internal(seq: int, kind: Kind) -> int:
    """The internal id of the `seq`-th mapped id: persons positive, groups negative."""
    return BASE + seq if kind == "user" else -(BASE + seq)


def seq_of(internal_id: int) -> int:
    return abs(internal_id) - BASE


def channel_of(internal_id: int) -> Channel:
    return "max" if abs(internal_id) >= BASE else "tg"


def row_id(raw: object) -> int | None:
    """A row id typed by nobody we trust (a button payload, an address, a form field); None
    for anything a query could not take: letters, a «²» (str.isdigit says yes, int says no),
    a number past an INTEGER column."""
    if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10):
        return None
    return int(raw) if int(raw) <= INT32_MAX else None


PERSON_LIMIT = 2**62  # handlers.tg.callbacks.StaffCb's range: every internal person id


def person_id(raw: object) -> int | None:
    """An internal person id from a button payload (MAX's are 2**60+n, past `row_id`'s
    range); None for anything else."""
    if not isinstance(raw, str) or not raw.isascii():
        return None
    digits = raw.removeprefix("-")
    if not (digits.isdigit() and len(digits) <= 19):
        return None
    value = int(raw)
    return value if -PERSON_LIMIT <= value <= PERSON_LIMIT else None
