"""QA pass on hostile input in Telegram, through the real bot and the fake Bot API over HTTP:
what a parent or a staff member would notice when messages are long, forged or odd."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.markup import MESSAGE_LIMIT
from tests.conftest import PARENT, STAFF_CHAT, BotHarness, make_settings
from tests.test_e2e_events import NOW
from tests.test_e2e_tickets import ask_specialist


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, staff_relay_seconds=1)


def long_text(tag: str, length: int) -> str:
    """Sentences numbered so a reader can tell whether any went missing; ends with `tag`."""
    sentences: list[str] = []
    while len(" ".join(sentences)) < length - 60:
        sentences.append(f"{tag}-{len(sentences) + 1}: справка из поликлиники нужна.")
    return " ".join([*sentences, f"{tag}-КОНЕЦ"])


async def test_a_long_follow_up_reaches_staff_whole_not_clipped(harness: BotHarness) -> None:
    """A parent adds to a waiting ticket a message near Telegram's 4096: staff read every
    sentence of it, in notes within the limit, the end not cut off."""
    h = harness
    ticket_id = await ask_specialist(h)
    await h.server.next_message(STAFF_CHAT)
    addition = long_text("Д", 3990)
    before = len(h.server.sent_to(STAFF_CHAT))
    h.server.user_sends(addition, user=PARENT)
    while "Д-КОНЕЦ" not in (await h.server.next_message(STAFF_CHAT, timeout=10)).text:
        pass
    notes = h.server.sent_to(STAFF_CHAT)[before:]
    assert all(f"№{ticket_id}" in n.text and len(n.text) <= MESSAGE_LIMIT for n in notes)
    shown = "\n".join(n.text for n in notes)
    tags = [s.split(":")[0] for s in addition.split(". ")]
    missing = [tag for tag in tags if f"{tag}:" not in shown and tag not in shown]
    assert not missing, f"staff never saw {missing[:3]}"
