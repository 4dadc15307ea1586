"""The MAX bot's username is read from its invite link (`https://max.ru/<name>`, set from
GET /me) in one place, handlers.max.groups.own_name: it was cut out of the link three times
(the group commands, the group pointer's two checks), each with its own letter case."""

from __future__ import annotations

from pathlib import Path

from handlers.max.group_pointer import addresses_bot

MAX_HANDLERS = Path(__file__).resolve().parent.parent / "handlers" / "max"


def test_the_name_is_cut_from_the_link_once() -> None:
    cut = [
        path.name
        for path in sorted(MAX_HANDLERS.glob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if 'rsplit("/", 1)' in line
    ]
    assert cut == ["groups.py"], cut


def test_the_pointer_knows_the_bot_by_its_name_in_any_case() -> None:
    assert addresses_bot("@MOC_Bot, как записаться?", "moc_bot")
    assert addresses_bot("/help@moc_bot", "MOC_BOT")
    assert not addresses_bot("/help@other_bot", "moc_bot")
    assert not addresses_bot("просто разговор", "moc_bot")
