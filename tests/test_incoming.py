"""bot.core.incoming: messenger JSON read without U+0000 (PostgreSQL's text refuses it)."""

from __future__ import annotations

from bot.core.incoming import loads


def test_nul_is_dropped_from_every_string_and_key() -> None:
    raw = '{"a\\u0000": ["x\\u0000y", {"n": "\\u0000"}], "k": 1, "t": true}'
    assert loads(raw) == {"a": ["xy", {"n": ""}], "k": 1, "t": True}
    assert loads(raw.encode()) == loads(raw)


def test_json_without_nul_is_read_as_is() -> None:
    assert loads('{"text": "Привет \\\\u0000 буквально"}') == {"text": "Привет \\u0000 буквально"}
