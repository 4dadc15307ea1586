"""JSON from a messenger (Bot API answers, MAX answers, both webhooks) read without U+0000.

PostgreSQL's text cannot hold the NUL character: a message, a name or a chat title carrying
one («\\u0000» in the JSON, which a client or a forged webhook can send) made every write of
it fail, so the person got «что-то пошло не так» and their question was lost. It carries
nothing a reader could see, so it is dropped where the JSON is read, once for every handler.
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPED = "\\u0000"  # JSON strings cannot hold a raw NUL, only this escape


def loads(data: str | bytes | bytearray) -> Any:
    """`json.loads` with every U+0000 removed from the strings (and keys) it yields."""
    value = json.loads(data)
    marker: str | bytes = _ESCAPED.encode() if isinstance(data, bytes | bytearray) else _ESCAPED
    return _scrub(value) if marker in data else value  # type: ignore[operator]


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value
