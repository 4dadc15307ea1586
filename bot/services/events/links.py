"""The payload of the bot's start links to an event's card (`?start=event_<id>`): one spelling
for the Telegram and MAX handlers that open the card, the MAX composer that builds the link and
the broadcast check that finds the event behind a «Записаться» button."""

from __future__ import annotations

import re
from typing import Final

EVENT_PREFIX: Final = "event_"
_LINK = re.compile(rf"[?&]start={EVENT_PREFIX}(\d{{1,12}})$")


def event_payload(event_id: int) -> str:
    return f"{EVENT_PREFIX}{event_id}"


def linked_event(url: str) -> int | None:
    """The event a start link opens; None for any other link."""
    found = _LINK.search(url)
    return int(found[1]) if found else None
